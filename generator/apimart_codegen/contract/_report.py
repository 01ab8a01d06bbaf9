"""The run's reports: the coverage table for people, JSON for tools, JUnit XML for CI.

Whatever a server sent, every text they print or write passes ``shown``: the key and the
Authorization value masked wherever they appear, control characters escaped (so a NUL or
an ESC in an answer neither reaches the terminal raw nor breaks the JUnit XML).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree

from apimart_codegen.contract._runner import DRIFT, Finding, Run
from apimart_codegen.netpolicy import printable, redact

HEADER = ("rule", "kept", "broke", "accepted", "refused", "verdict")
_NOT_RULES = {
    "/positive": "bodies that keep every rule",
    "/lifecycle": "the task lifecycle",
    "/wire": "the wire protocol",
    "/server-error": "server errors",
}
"""Rows of the table that are not rules of a spec (by the end of their id), and what they
stand for."""
_NOT_RULE_ENDS = tuple(_NOT_RULES)


def shown(run: Run, text: str) -> str:
    """``text`` as it may be printed or written: secrets masked, controls escaped."""
    return printable(redact(text, run.secrets))


def table(run: Run, out: TextIO, *, every_rule: bool = True) -> None:
    """The coverage table, one block per model, then each finding in full."""
    for model, stats in run.stats.items():
        rows = [
            (
                s.rule,
                str(s.kept),
                str(s.broke),
                str(s.accepted),
                str(s.refused),
                s.verdict if not s.rule.endswith(_NOT_RULE_ENDS) else _plain(s),
            )
            for s in stats.values()
            if every_rule or s.findings
        ]
        widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
        detected = sum(1 for s in stats.values() if s.findings)
        plural = "" if len(stats) == 1 else "s"
        print(f"\n{model}: {len(stats)} row{plural}, {detected} with findings", file=out)
        for row in [HEADER, *rows] if rows else []:
            cells = (
                [row[0].ljust(widths[0])]
                + [row[i].rjust(widths[i]) for i in range(1, 5)]
                + [row[5]]
            )
            print("  " + "  ".join(cells), file=out)
    for number, finding in enumerate(_unique(run.findings), start=1):
        print(f"\n[{number}] {finding.rule}: {DRIFT[finding.kind]}", file=out)
        for line in [shown(run, finding.message), *details(finding, run)]:
            print(f"    {line}", file=out)


def details(finding: Finding, run: Run, *, answer_chars: int = 300) -> list[str]:
    """A finding's evidence, a line each: the payload (shrunk unless --no-shrink), the
    server's answer, a curl command that sends it again, the command that replays it."""
    lines = []
    if finding.payload is not None:
        lines.append(f"payload: {json.dumps(finding.payload, ensure_ascii=False)}")
    if finding.status is not None:
        lines.append(f"answer: HTTP {finding.status} {finding.answer[:answer_chars]}")
    if finding.curl:
        lines.append(f"reproduce: {finding.curl}")
    lines.append(f"replay: {replay(run, finding.model, finding.rule)}")
    return [shown(run, line) for line in lines]


def replay(run: Run, model: str, rule: str) -> str:
    """The command that runs this one rule again, against the same target, with the same seed.

    The task lifecycle runs with every model and no --rule; a model's positive bodies and
    the polling of their tasks run with that model and no --rule."""
    command = "apimart contract" + (f" {run.target_flags}" if run.target_flags else "")
    command += f" --seed {run.seed}"
    if model == "lifecycle":
        return command
    if rule.endswith(_NOT_RULE_ENDS):
        return f"{command} --model {model}"
    return f"{command} --model {model} --rule {rule}"


def _plain(stats: Any) -> str:
    if stats.findings:
        return DRIFT[stats.findings[0].kind]
    if stats.skipped and stats.skipped >= stats.kept:
        return "not sent (dry run or budget)"
    return "as documented"


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for finding in findings:
        if (finding.rule, finding.kind) not in seen:
            seen.add((finding.rule, finding.kind))
            out.append(finding)
    return out


def summary(run: Run) -> str:
    rules = sum(1 for s in run.rules() if not s.rule.endswith(_NOT_RULE_ENDS))
    broken = {f.rule for f in run.findings}
    found = len({rule for rule in broken if not rule.endswith(_NOT_RULE_ENDS)})
    also = [what for end, what in _NOT_RULES.items() if any(rule.endswith(end) for rule in broken)]
    verdict = f"{found} with contract violations" if found else "no contract violations"
    if also:
        verdict += ("; also broken: " if found else "; broken: ") + ", ".join(also)
    return (
        f"{run.cases} cases ({run.cases_per_second:.0f}/s), {run.requests} requests in "
        f"{run.seconds:.1f} s against {run.target}, seed {run.seed}: {rules} rule"
        + ("s, " if rules != 1 else ", ")
        + verdict
    )


def to_json(run: Run) -> dict[str, Any]:
    return {
        "target": run.target,
        "seed": run.seed,
        "target_flags": run.target_flags,
        "cases": run.cases,
        "requests": run.requests,
        "seconds": round(run.seconds, 3),
        "cases_per_second": round(run.cases_per_second, 1),
        "spent": run.spent,
        "reused": run.reused,
        "notes": run.notes,
        "models": {
            model: {
                rule: {
                    "severity": s.severity,
                    "kept": s.kept,
                    "broke": s.broke,
                    "accepted": s.accepted,
                    "refused": s.refused,
                    "unobservable": s.unobservable,
                    "skipped": s.skipped,
                    "verdict": s.verdict if not rule.endswith(_NOT_RULE_ENDS) else _plain(s),
                    "findings": len(s.findings),
                }
                for rule, s in stats.items()
            }
            for model, stats in run.stats.items()
        },
        "findings": [f.to_dict() for f in _unique(run.findings)],
    }


def write_json(run: Run, path: Path) -> None:
    # json.dumps escapes every control character; the secrets are masked in its text
    _write(path, redact(json.dumps(to_json(run), indent=2, ensure_ascii=False), run.secrets) + "\n")


def write_junit(run: Run, path: Path) -> None:
    """One testsuite per model, one testcase per rule; a finding is a failure."""
    root = ElementTree.Element("testsuites", name="apimart contract", time=f"{run.seconds:.3f}")
    for model, stats in run.stats.items():
        failures = sum(1 for s in stats.values() if s.findings)
        suite = ElementTree.SubElement(
            root, "testsuite", name=model, tests=str(len(stats)), failures=str(failures)
        )
        for rule, s in stats.items():
            case = ElementTree.SubElement(suite, "testcase", classname=model, name=rule)
            if s.findings:
                first = s.findings[0]
                message = shown(run, f"{DRIFT[first.kind]}: {first.message}")
                failure = ElementTree.SubElement(case, "failure", message=message)
                failure.text = "\n".join(details(first, run, answer_chars=500))
            elif not s.broke and not s.kept:
                ElementTree.SubElement(case, "skipped", message="no case reached this rule")
    _write(path, ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n")


def _write(path: Path, text: str) -> None:
    """Write whole or not at all: a temporary file beside the target, then a rename. A target
    that exists and is not a regular file (a device, a pipe) is written to as it is."""
    import os
    import secrets

    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as stream:
            stream.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # 0o666 less the umask, as any file the user creates (mkstemp would make it 0o600)
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
