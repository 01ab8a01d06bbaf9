"""A small documentation site the tests build and serve on loopback, shaped like the vendor's.

``viduq3_page()`` renders the stored ``vendor-docs/viduq3.txt`` as the site shows it: a
header and a navigation sidebar, the endpoint bar, code groups with tabs (only the open tab
shown), parameter fields (name, type, required or default, description with lists), a
table, headings, a callout and a footer. ``Site`` serves pages on 127.0.0.1, port 0.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

VIDUQ3_PATH = "/en/api-reference/videos/viduq3/generation"


def highlighted(code: str) -> str:
    """Code as a highlighter marks it up: every token its own span, whitespace kept."""
    parts = re.split(r"(\s+)", code)
    return "".join(
        escape(part) if part.isspace() or not part else f'<span class="token">{escape(part)}</span>'
        for part in parts
    )


def code_group(tabs: dict[str, str]) -> str:
    """Tabs over code blocks: the first is open, the others are hidden panels."""
    buttons = "".join(f'<button role="tab">{escape(name)}</button>' for name in tabs)
    panels = "".join(
        f'<div role="tabpanel"{"" if index == 0 else " hidden"}>'
        f'<button class="copy" aria-label="Copy">Copy</button>'
        f"<pre><code>{highlighted(code)}</code></pre></div>"
        for index, code in enumerate(tabs.values())
    )
    return f'<div class="code-group"><div role="tablist">{buttons}</div>{panels}</div>'


def field(name: str, type_: str, body: str, *, required: bool = False, default: str = "") -> str:
    """A parameter field: its name, type, required or default badge, then its description."""
    badges = '<div class="badge">required</div>' if required else ""
    if default:
        badges += f'<div class="badge">default:<code>"{escape(default)}"</code></div>'
    return (
        f'<div class="field"><div class="field-head"><div class="name"><code>{escape(name)}'
        f'</code></div><div class="type">{escape(type_)}</div>{badges}</div>'
        f'<div class="field-body">{body}</div></div>'
    )


def bullets(*items: str) -> str:
    return "<ul>" + "".join(f"<li><p>{escape(item)}</p></li>" for item in items) + "</ul>"


def spans(*pieces: str) -> str:
    """Pieces of one paragraph the site sets side by side (they join with no space)."""
    return "<p>" + "".join(f"<span>{escape(piece)}</span>" for piece in pieces) + "</p>"


def table(*rows: tuple[str, ...]) -> str:
    head, *body = rows
    cells = "".join(f"<th>{escape(cell)}</th>" for cell in head)
    lines = "".join(
        "<tr>" + "".join(f"<td><p>{escape(cell)}</p></td>" for cell in row) + "</tr>"
        for row in body
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{lines}</tbody></table>"


def shell(title: str, main: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(title)}</title>
<style>.hidden {{ display: none }}</style>
<script>window.__docs = {{"theme": "dark", "version": "1.0"}};</script></head>
<body>
<a href="#content-area" class="skip">Skip to main content</a>
<header id="navbar"><a href="/">APIMart Docs</a><input placeholder="Search...">
  <button>Ask AI</button><a href="/dashboard">Dashboard</a></header>
<nav id="sidebar"><ul>
  <li><a href="/en/quickstart">Quickstart</a></li>
  <li><a href="/en/api-reference/videos/wan2.6/generation">Wan 2.6</a></li>
  <li><a href="{VIDUQ3_PATH}">Vidu Q3</a></li>
</ul></nav>
<main id="content-area">
{main}
</main>
<footer><div>Was this page helpful?</div><button>Yes</button><button>No</button>
  <a href="/en/api-reference/videos/wan2.6/generation">Wan 2.6</a>
  <svg viewBox="0 0 1 1"><title>next</title></svg></footer>
</body>
</html>
"""


def viduq3_page(stored: str) -> str:
    """The stored viduq3 page as the site renders it (its code blocks come from ``stored``)."""
    bodies = _code_blocks(stored)
    curl, response = bodies[0], bodies[1]
    request_tabs = {
        "cURL": curl,
        "Python": "import requests\nrequests.post(url, json=payload)",
        "JavaScript": "await fetch(url, {method: 'POST'})",
    }
    response_tabs = {"200": response, "400": '{\n  "error": {"code": 400}\n}'}
    endpoint = "".join(
        f"<div>{part}</div>" for part in ("POST", "/", "v1", "/", "videos", "/", "generations")
    )
    params = "".join(
        [
            field(
                "model",
                "string",
                spans("Video generation model name", "Supported models:")
                + bullets(
                    "viduq3-mix - Premium quality, stronger smart transitions, supports "
                    "1-second short videos",
                    "viduq3 - Default choice, smarter camera switching",
                )
                + "<p>How to choose: Use viduq3 for everyday use; use viduq3-mix for premium "
                "quality or 1-2 second motion effects.</p>",
                required=True,
            ),
            field(
                "prompt",
                "string",
                spans(
                    "Text prompt, maximum 5000 characters",
                    "Describe actions and camera movements, not appearance (appearance is "
                    "determined by reference images).",
                    'Example: "Santa Claus and the bear hug by the lakeside"',
                ),
                required=True,
            ),
            field(
                "image_urls",
                "array<url>",
                spans(
                    "Reference image URL array, 1-7 images",
                    "Supports publicly accessible image URLs (http:// or https://)",
                    'Example: ["https://example.com/santa.png", "https://example.com/bear.png"]',
                )
                + bullets(
                    "Quantity: 1-7 images",
                    "Supported formats: PNG, JPEG, JPG, WebP",
                    "Minimum size: 128×128",  # noqa: RUF001 (as the page prints it)
                    "Aspect ratio: between 1:4 and 4:1",
                    "Maximum file size: ≤ 50MB per image",
                    "Must be publicly accessible URLs",
                ),
                required=True,
            ),
            field(
                "duration",
                "integer",
                "<p>Video duration (seconds)</p>"
                + bullets("viduq3-mix: 1 to 16", "viduq3: 3 to 16")
                + "<p>Default: 5</p><p>viduq3 supports minimum 3 seconds, viduq3-mix supports "
                "minimum 1 second. Please pass a valid duration based on the selected model.</p>",
                default="5",
            ),
            field(
                "resolution",
                "string",
                "<p>Video resolution</p>"
                + bullets(
                    "viduq3-mix: 720p (default) / 1080p", "viduq3: 540p / 720p (default) / 1080p"
                )
                + "<p>viduq3-mix does not support 540p, please use 720p or 1080p.</p>",
                default="720p",
            ),
            field(
                "aspect_ratio",
                "string",
                spans("Video aspect ratio", "Options:")
                + bullets(
                    "16:9 - Landscape (default)",
                    "9:16 - Portrait",
                    "4:3 - Traditional",
                    "3:4 - Portrait traditional",
                    "1:1 - Square",
                ),
                default="16:9",
            ),
            field(
                "seed",
                "integer",
                spans(
                    "Random seed for controlling generation randomness",
                    "If not provided, a random seed will be used.",
                )
                + "<p>Using the same seed with identical parameters will produce similar "
                "results, but not guaranteed to be exactly the same.</p>",
            ),
        ]
    )
    main = f"""
<div class="endpoint">{endpoint}</div>
<div class="playground">{code_group(request_tabs)}{code_group(response_tabs)}</div>
<div class="examples">{code_group(request_tabs)}{code_group(response_tabs)}</div>
<h2 id="authorization">Authorization</h2>
{
        field(
            "Authorization",
            "string",
            spans(
                "All API endpoints require Bearer Token authentication",
                "Get your API Key:",
                "Visit the API Key Management Page to get your API Key",
                "Add it to the request header:",
            )
            + "<pre><code>Authorization: Bearer YOUR_API_KEY</code></pre>",
            required=True,
        )
    }
<h2 id="request-parameters">Request Parameters</h2>
{params}
<h2>Model Comparison</h2>
{
        table(
            ("Feature", "viduq3", "viduq3-mix"),
            (
                "Recommended for",
                "Everyday use, multi-angle camera switching",
                "Premium quality, 1-2 second motion effects",
            ),
            ("Duration range", "3-16 seconds", "1-16 seconds"),
            ("Resolution", "540p / 720p / 1080p", "720p / 1080p"),
            ("Reference images", "1-7 images", "1-7 images"),
        )
    }
<h2>Response</h2>
{field("code", "integer", "<p>Response status code, 200 on success</p>")}
{field("data", "array", "<p>Response data array</p>")}
<h2>Use Cases</h2>
<h3>Case 1: viduq3 Basic Reference-to-Video</h3>
<pre><code>{highlighted(bodies[4])}</code></pre>
<h3>Case 2: viduq3-mix High Quality Reference-to-Video</h3>
<pre><code>{highlighted(bodies[5])}</code></pre>
<div class="callout"><strong>Query Task Results</strong><span>Video generation is an async task
that returns a task_id upon submission. Use the <a href="/en/tasks">Get Task Status</a> endpoint
to query generation progress and results.</span></div>
"""
    return shell("Vidu Q3 - APIMart", main)


def _code_blocks(page: str) -> list[str]:
    """The stored page's code blocks: from a line opening one to the line closing it."""
    blocks, lines, current = [], page.split("\n"), []
    for line in lines:
        if current or line.startswith(("curl ", "{")):
            current.append(line)
            if line in ("}", "  }'"):
                blocks.append("\n".join(current))
                current = []
    return blocks


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str = ""
    stall: bool = False  # hold the answer until the server stops


class Site:
    def __init__(self) -> None:
        self.pages: dict[str, Answer] = {}
        self.released = threading.Event()
        self.url = ""

    def add(self, path: str, answer: Answer) -> str:
        self.pages[path] = answer
        return self.url + path


@contextmanager
def serve() -> Iterator[Site]:
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = site.pages.get(self.path, Answer(404, b"<html>not here</html>"))
            if answer.stall:
                site.released.wait()
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            if answer.location:
                self.send_header("Location", answer.location)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.released.set()
        server.shutdown()
        server.server_close()


def stored(name: str) -> str:
    return (Path(__file__).resolve().parents[1] / "vendor-docs" / name).read_text(encoding="utf-8")
