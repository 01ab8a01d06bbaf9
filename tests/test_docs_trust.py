"""``apimart docs pull`` / ``docs diff`` against hostile pages on loopback: a trickle meets
the overall deadline, senseless timeouts, unknown charsets and absurdly deep HTML are
messages with exit 2, a URL's password is never printed, a failed write leaves nothing."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_netpolicy import trickle  # noqa: F401  (the fixture)

from apimart_codegen.cli import main
from tests.doc_site import VIDUQ3_PATH, Answer, Site, serve, stored, viduq3_page


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        yield running


def docs(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["docs", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize("timeout", ["nan", "-1", "0", "inf", "1e308", "soon"])
@pytest.mark.parametrize("command", [["pull", "viduq3", "--print"], ["diff", "viduq3"]])
def test_senseless_timeouts_are_usage_errors(
    capsys: pytest.CaptureFixture[str], command: list[str], timeout: str
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["docs", *command, "--timeout", timeout])
    assert caught.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_a_trickling_page_meets_the_overall_timeout(
    capsys: pytest.CaptureFixture[str],
    trickle: Callable[[bytes, float], str],  # noqa: F811
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"
    url = trickle(head + b"<p>x</p>" * 600, 0.02)  # each byte well within a read timeout
    code, _out, err = docs(capsys, "pull", "viduq3", "--url", url, "--print", "--timeout", "0.5")
    assert code == 2
    assert err.rstrip().endswith(f"{url}: no answer within 0.5 s"), err


@pytest.mark.parametrize("command", ["pull", "diff"])
def test_an_unknown_charset_is_a_message_and_exit_2(
    site: Site, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    answer = Answer(body=b"<html><p>hi</p></html>", content_type="text/html; charset=rot13")
    url = site.add("/page", answer)
    argv = ["pull", "viduq3", "--url", url, "--print"] if command == "pull" else ["diff"]
    if command == "diff":
        argv += ["viduq3", url]
    code, _out, err = docs(capsys, *argv)
    assert code == 2
    assert f"{url}: unknown charset 'rot13'" in err


DEEP = "<!doctype html><html><body>" + "<div>" * 600 + "deep" + "</div>" * 600 + "</body></html>"


def test_html_nested_600_deep_is_a_message_and_exit_2(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "deep.html"
    page.write_text(DEEP, encoding="utf-8")
    code, _out, err = docs(capsys, "diff", "wan2.6", str(page))
    assert code == 2  # not 1, which would read as drift
    assert f"{page}: the page's HTML is nested too deeply to be read" in err
    url = site.add("/deep", Answer(body=DEEP.encode()))
    code, _out, err = docs(capsys, "pull", "wan2.6", "--url", url, "--print")
    assert code == 2
    assert "nested too deeply" in err


def test_a_password_in_a_docs_url_is_never_printed(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.add(VIDUQ3_PATH, Answer(body=viduq3_page(stored("viduq3.txt")).encode()))
    secret = site.url.replace("http://", "http://reader:hunter2@")
    code, out, err = docs(
        capsys, "pull", "viduq3", "--url", secret + VIDUQ3_PATH, "--out", str(tmp_path)
    )
    assert code == 0, err
    assert "hunter2" not in out + err and "reader:***@" in out
    for argv in (
        ["pull", "viduq3", "--url", secret + "/missing", "--print"],
        ["diff", "viduq3", secret + "/missing"],
        ["diff", "viduq3", secret + VIDUQ3_PATH],
    ):
        code, out, err = docs(capsys, *argv)
        assert "hunter2" not in out + err, argv
        assert "reader:***@" in out + err, argv


def test_a_failed_write_leaves_the_old_page_and_no_partial_file(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = site.add(VIDUQ3_PATH, Answer(body=viduq3_page(stored("viduq3.txt")).encode()))
    (tmp_path / "viduq3.txt").write_text("the old page", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, _out, err = docs(capsys, "pull", "viduq3", "--url", url, "--out", str(tmp_path))
    assert code == 2
    assert f"{tmp_path / 'viduq3.txt'}: cannot be written (No space left on device)" in err
    assert [p.name for p in tmp_path.iterdir()] == ["viduq3.txt"]
    assert (tmp_path / "viduq3.txt").read_text(encoding="utf-8") == "the old page"
