"""The vendor pages belong to the project: where lint finds them, and what it says when it can't."""

from __future__ import annotations

from pathlib import Path

from tests.support import DOCS_ROOT, MINIMAL_SPEC, ROOT, run_cli, specs, write_spec


def test_every_page_the_specs_cite_is_a_file_of_the_project() -> None:
    assert DOCS_ROOT == ROOT / "vendor-docs"
    cited = {spec.doc for spec in specs().files} | {
        rule.source.doc for model in specs().models for rule in model.rules
    }
    # every page of the folder is cited, and every page cited is in the folder
    pages = {path.name for path in DOCS_ROOT.iterdir() if path.is_file() and path.suffix != ".new"}
    assert cited == pages
    assert {"API_NOTES.md", "wan2.6.txt"} <= cited


def test_nothing_points_outside_the_project_for_its_pages() -> None:
    texts = [ROOT / "README.md", ROOT / "docs/wire-protocol.md", ROOT / ".ci/run"]
    for folder in ("specs", "generator", "tests"):
        texts += (ROOT / folder).rglob("*.*")
    offenders = [
        str(path.relative_to(ROOT))
        for path in texts
        if path.suffix in {".md", ".py", ".yaml", ""}
        and path.name != Path(__file__).name
        and "../shared" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_every_spec_names_the_url_of_its_page() -> None:
    urls = {spec.family: spec.url for spec in specs().files}
    assert urls["wan2.6"] == "https://docs.apimart.ai/en/api-reference/videos/wan2.6/generation"
    assert all(url and url.startswith("https://docs.apimart.ai/") for url in urls.values())


def test_the_environment_variable_names_another_docs_folder(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "APIMART_DOCS": str(tmp_path)}
    result = run_cli("lint", env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    # one line per missing page, at the spec's `doc:` line, not one per quote
    assert f"specs/wan2.6.yaml:4:6: error: document {tmp_path}/wan2.6.txt not found" in lines
    pages = {spec.doc for spec in specs().files} | {"API_NOTES.md"}
    assert sum("not found" in line for line in lines) == len(pages)  # each page once
    assert not any("quote not found" in line for line in lines)


def _tiny(tmp_path: Path, doc: str, quote_doc: str = "") -> tuple[Path, Path]:
    text = MINIMAL_SPEC.replace("doc: docs/tiny.txt", f"doc: {doc}")
    if quote_doc:
        text = text.replace(
            'source: "Duration 5 or 10"', f"source: {{doc: {quote_doc}, quote: Duration 5 or 10}}"
        )
    write_spec(tmp_path / "specs", "tiny.yaml", text)
    docs = tmp_path / "pages"
    docs.mkdir()
    (docs / "tiny.txt").write_text("Request Parameters fixed as tiny-1 Duration 5 or 10")
    return tmp_path / "specs", docs


def test_a_doc_path_that_leaves_the_docs_folder_is_refused_at_its_line(tmp_path: Path) -> None:
    specs_dir, docs = _tiny(tmp_path, "../../../../etc/passwd")
    result = run_cli("lint", "--specs", str(specs_dir), "--docs", str(docs))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "specs/tiny.yaml:1:6: error: document '../../../../etc/passwd' lies outside the "
        f"docs folder {docs}"
    ]
    assert "root:" not in result.stdout + result.stderr


def test_a_quote_citing_a_file_outside_the_folder_is_refused_at_the_quote(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("Duration 5 or 10")
    specs_dir, docs = _tiny(tmp_path, "tiny.txt", quote_doc="../secret.txt")
    result = run_cli("lint", "--specs", str(specs_dir), "--docs", str(docs))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "specs/tiny.yaml:22:13: error: document '../secret.txt' lies outside the docs folder "
        f"{docs}"
    ]


def test_a_missing_page_is_one_error_naming_the_file(tmp_path: Path) -> None:
    specs_dir, docs = _tiny(tmp_path, "gone.txt")
    result = run_cli("lint", "--specs", str(specs_dir), "--docs", str(docs))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"specs/tiny.yaml:1:6: error: document {docs}/gone.txt not found"
    ]
    assert "Traceback" not in result.stderr


def test_the_tiny_spec_lints_clean_when_its_page_is_there(tmp_path: Path) -> None:
    specs_dir, docs = _tiny(tmp_path, "tiny.txt")
    result = run_cli("lint", "--specs", str(specs_dir), "--docs", str(docs))
    assert result.returncode == 0, result.stdout
