"""``apimart submit`` / ``wait`` / ``demo`` against a hostile server on loopback: refused
result URLs and redirect loops are messages (never a traceback), SIGTERM mid-download leaves
no temporary file, a password in ``--base-url`` is never echoed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support import ROOT
from test_client_support import MP4_HEAD

from apimart_codegen.cli import main

KEY = "sk-trust-0123456789"


class Hostile(BaseHTTPRequestHandler):
    """Tasks whose result is a trickle, a redirect loop, a file:// URL or an HTML page."""

    stop: threading.Event

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path.startswith("/v1/tasks/"):
            name = self.path.rsplit("/", 1)[1]
            url = "file:///etc/passwd" if name == "fileurl" else f"{base}/files/{name}.mp4"
            task = {"id": name, "status": "completed", "result": {"videos": [{"url": [url]}]}}
            if name == "echo":  # a server that echoes the key, with terminal escapes
                said = f"bad key {KEY}\x1b[2J\x1b]0;pwned\x07"
                task = {"id": "echo\x1b[31m", "status": "failed", "error": {"message": said}}
            self._send(200, json.dumps({"code": 200, "data": task}).encode(), "application/json")
        elif self.path == "/files/loop.mp4":
            self.send_response(302)
            self.send_header("Location", "/files/loop.mp4")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/files/html.mp4":
            self._send(200, b"<!doctype html><title>login</title>", "text/html")
        elif self.path == "/files/trickle.mp4":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", "100000000")
            self.end_headers()
            self.wfile.write(MP4_HEAD + b"\0" * 70000)
            self.wfile.flush()
            while not self.stop.wait(0.05):
                try:
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                except OSError:
                    return
        else:
            self._send(404, b"{}", "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hostile() -> Iterator[str]:
    stop = threading.Event()
    handler = type("Handler", (Hostile,), {"stop": stop})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    stop.set()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("task", "code", "said"),
    [
        ("fileurl", 1, "refused to fetch file:///etc/passwd: the scheme 'file' is not http"),
        ("loop", 2, "more than 10 redirects"),
        ("html", 1, "not a video file (Content-Type text/html"),
    ],
)
def test_hostile_results_are_messages_not_tracebacks(
    hostile: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    task: str,
    code: int,
    said: str,
) -> None:
    monkeypatch.setenv("APIMART_API_KEY", KEY)
    out = tmp_path / "out"
    assert main(["wait", task, "--base-url", hostile, "--out", str(out)]) == code
    printed = capsys.readouterr()
    assert said in printed.err
    assert "Traceback" not in printed.out + printed.err
    assert not out.exists() or list(out.iterdir()) == []


def test_sigterm_during_a_download_leaves_no_partial_file(hostile: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "APIMART_API_KEY": KEY}
    command = ["wait", "trickle", "--out", str(out), "--base-url", hostile]
    process = subprocess.Popen(
        [sys.executable, "-m", "apimart_codegen.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):  # until the download is under way
            if out.exists() and any(p.name.endswith(".part") for p in out.iterdir()):
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the download never started")
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signal.SIGTERM, err
    assert b"Traceback" not in err
    assert list(out.iterdir()) == []


def test_a_password_in_the_base_url_is_never_echoed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APIMART_API_KEY", KEY)
    assert main(["wait", "t1", "--base-url", "ftp://user:hunter2@host.example"]) == 2
    printed = capsys.readouterr()
    assert "hunter2" not in printed.out + printed.err
    assert "user:***@host.example" in printed.err


def test_the_demo_hides_the_password_of_its_base_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("APIMART_API_KEY", KEY)
    url = f"http://user:hunter2@127.0.0.1:{port}"
    assert main(["demo", "--base-url", url, "--out", "/nonexistent-never-written"]) == 1
    printed = capsys.readouterr()
    assert "hunter2" not in printed.out + printed.err
    assert f"against http://user:***@127.0.0.1:{port}" in printed.out


@pytest.mark.parametrize("output", ["text", "json"])
def test_what_a_server_echoes_is_printed_without_the_key_or_escapes(
    hostile: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.setenv("APIMART_API_KEY", KEY)
    assert main(["wait", "echo", "--base-url", hostile, "--format", output]) == 1
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert KEY not in text
    assert "\x1b" not in text and "\x07" not in text
    assert "ended failed: bad key" in text
