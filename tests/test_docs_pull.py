"""``apimart docs pull``: a page fetched from a loopback documentation site becomes stored text."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from apimart_codegen.cli import main
from apimart_codegen.page_text import html_to_text
from tests.doc_site import VIDUQ3_PATH, Answer, Site, serve, stored, viduq3_page
from tests.support import DOCS_ROOT, run_cli


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def test_the_site_rendering_of_a_stored_page_converts_back_to_that_page() -> None:
    page = stored("viduq3.txt")
    assert html_to_text(viduq3_page(page)) == page


def test_pull_reproduces_the_stored_page_from_the_site(site: Site, tmp_path: Path) -> None:
    page = stored("viduq3.txt")
    url = site.add(VIDUQ3_PATH, Answer(body=viduq3_page(page).encode()))
    result = run_cli("docs", "pull", "viduq3", "--url", url, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "viduq3.txt").read_text(encoding="utf-8") == page
    assert result.stdout.startswith(f"viduq3: {url} -> {tmp_path}/viduq3.txt (same as ")
    printed = run_cli("docs", "pull", "viduq3", "--url", url, "--print")
    assert printed.stdout == page + "\n"


def test_pull_stores_the_new_page_next_to_the_old_one_and_diff_reads_it(
    site: Site, tmp_path: Path
) -> None:
    docs = tmp_path / "pages"
    shutil.copytree(DOCS_ROOT, docs)
    edited = stored("viduq3.txt").replace("viduq3: 3 to 16", "viduq3: 4 to 16")
    html = viduq3_page(stored("viduq3.txt")).replace("viduq3: 3 to 16", "viduq3: 4 to 16")
    url = site.add(VIDUQ3_PATH, Answer(body=html.encode()))
    result = run_cli("docs", "pull", "viduq3", "--url", url, "--docs", str(docs))
    assert result.returncode == 0, result.stderr
    assert "differs from" in result.stdout
    assert (docs / "viduq3.txt.new").read_text(encoding="utf-8") == edited
    assert (docs / "viduq3.txt").read_text(encoding="utf-8") == stored("viduq3.txt")
    # docs diff, from the stored file and straight from the URL, names the rules
    for new in (str(docs / "viduq3.txt.new"), url):
        diff = run_cli("docs", "diff", "viduq3", new, "--docs", str(docs))
        assert diff.returncode == 1, diff.stderr
        assert "  - • viduq3: 3 to 16\n  + • viduq3: 4 to 16\n" in diff.stdout
        assert (
            "quoted by viduq3/duration-range (specs/viduq3.yaml:74:13, quote gone)" in diff.stdout
        )
        assert "viduq3-mix/" not in diff.stdout


def test_a_html_file_given_to_diff_is_read_as_the_site_shows_it(tmp_path: Path) -> None:
    html = tmp_path / "viduq3.html"
    html.write_text(viduq3_page(stored("viduq3.txt")), encoding="utf-8")
    result = run_cli("docs", "diff", "viduq3", str(html))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("no drift: the page says what the spec quotes\n")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(404, b"<html>gone</html>"), "HTTP 404 Not Found"),
        (Answer(500, b"oops", "text/plain"), "HTTP 500 Internal Server Error"),
        (
            Answer(301, b"", location="https://elsewhere.example/viduq3"),
            "redirected (HTTP 301) to https://elsewhere.example/viduq3; if the page moved, "
            "put its new address in the spec's url",
        ),
        (
            Answer(200, b'{"a": 1}', "application/json"),
            "not an HTML page (Content-Type: application/json)",
        ),
        (Answer(stall=True), "no answer within 0.5 s"),
    ],
)
def test_a_page_that_cannot_be_had_is_a_clear_error_and_exit_2(
    site: Site, answer: Answer, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.add("/page", answer)
    for command in (("pull", "viduq3", "--url", url, "--print"), ("diff", "viduq3", url)):
        assert main(["docs", *command, "--timeout", "0.5"]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.rstrip().endswith(f"{url}: {message}"), err
        assert err.startswith(f"apimart docs {command[0]}: ")


def test_a_refused_connection_is_a_clear_error(tmp_path: Path) -> None:
    with serve() as site:
        url = site.url + "/page"
    result = run_cli("docs", "pull", "viduq3", "--url", url, "--print")
    assert result.returncode == 2
    assert f"apimart docs pull: viduq3: {url}: cannot be fetched (ConnectError" in result.stderr


def test_pull_with_no_family_fetches_every_spec_url(site: Site, tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(Path(__file__).resolve().parents[1] / "specs", specs)
    for path in specs.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("https://docs.apimart.ai", site.url), encoding="utf-8")
    site.add(VIDUQ3_PATH, Answer(body=viduq3_page(stored("viduq3.txt")).encode()))
    result = run_cli(
        "docs", "pull", "--specs", str(specs), "--out", str(tmp_path / "out"),
        env={**os.environ, "APIMART_DOCS": str(DOCS_ROOT)},
    )  # fmt: skip
    assert result.returncode == 2  # only viduq3 is on the site
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["viduq3.txt"]
    assert result.stderr.count("HTTP 404 Not Found") == len(list(specs.glob("*.yaml"))) - 1


def test_the_converter_drops_what_a_reader_does_not_read() -> None:
    html = """<html><body><nav>Menu</nav><h1>Title</h1><p>One <b>bold</b>
    word.</p><div hidden>secret</div><div style="display: none">also</div><table><tr><td>a</td>
    <td>b</td></tr></table><ol><li>first</li><li><p>second</p></li></ol><!-- note -->
    <script>var x = "<p>no</p>";</script><pre>  kept
    as is</pre><footer>foot</footer></body></html>"""
    assert html_to_text(html) == (
        "Title\n\nOne bold word.\nab\n  • first\n  • second\n  kept\n    as is"
    )
