"""What a page's clauses state, gathered: a value per (model, parameter, target,
keyword) with the clause it quotes, the rules between fields, the clauses used, and the
places where the page says one thing twice, differently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apimart_codegen.scaffold._recognise import Finding

KEY_ORDER = (
    "type",
    "required",
    "enum",
    "minimum",
    "maximum",
    "min_length",
    "max_length",
    "min_items",
    "max_items",
    "format",
    "media_types",
    "default",
    "closed",
    "description",
    "source",
    "cite",
    "decision",
    "items",
    "properties",
)


REQUIRED_LINE = "required"  # a block's marker line: what a finding of it quotes


@dataclass(slots=True)
class Draft:
    spec: dict[str, Any]
    review: list[tuple[str, str]] = field(default_factory=list)  # (quote, why)
    problems: list[str] = field(default_factory=list)
    # (quote, the drafted quote it agrees with): sentences that state a value again
    restated: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Collected:
    """Findings per (model, parameter, target, keyword), with the clauses that gave them."""

    values: dict[tuple[str | None, str, str, str], Finding] = field(default_factory=dict)
    rules: list[Finding] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    placed: set[str] = field(default_factory=set)
    restated: dict[str, str] = field(default_factory=dict)  # quote -> the quote it agrees with

    def agree(self, quote: str, drafted: str) -> None:
        """``quote`` states again what ``drafted`` gave: accounted for, not a rule of its own."""
        self.used.add(quote)
        if quote not in (drafted, REQUIRED_LINE) and drafted != REQUIRED_LINE:
            self.restated.setdefault(quote, drafted)

    def add(self, param: str, finding: Finding) -> None:
        self.used.add(finding.quote)
        if finding.rule is not None:
            if all(f.rule != finding.rule for f in self.rules):
                self.rules.append(finding)
            return
        key = (finding.model, param, finding.target, finding.keyword)
        known = self.values.get(key)
        if known is not None and finding.keyword == "format" and known.value != finding.value:
            if "data" in str(finding.value):
                self.values[key] = finding  # "URLs or Base64": the wider format is stated
                self.agree(known.quote, finding.quote)
            else:
                self.agree(finding.quote, known.quote)
            return
        if known is None:
            self.values[key] = finding
        elif known.value == finding.value:
            self.agree(finding.quote, known.quote)
        else:
            self.conflicts.append(
                (
                    finding.quote,
                    f"it says {finding.keyword} "
                    f"{finding.value!r} where {known.quote!r} says {known.value!r}",
                )
            )
            self.values[key] = Finding("conflict", None, known.quote)


def ordered(node: dict[str, Any]) -> dict[str, Any]:
    return {key: node[key] for key in KEY_ORDER if key in node} | {
        k: v for k, v in node.items() if k not in KEY_ORDER
    }
