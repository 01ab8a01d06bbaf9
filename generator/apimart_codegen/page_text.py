"""A vendor page fetched over HTTP and turned into the text the stored pages hold.

The stored pages (``vendor-docs/*.txt``) are what a reader sees on the documentation site,
copied as text: the site's navigation, header, footer, buttons and hidden code tabs are
gone; each block (paragraph, heading, list item, table row, parameter line) is one line;
inline pieces join with no space added (``authenticationGet your API Key``, as the site
prints them); a heading stands between blank lines; a list item reads ``  • text``; table
cells of a row run together; code blocks keep their lines and indentation. Beautiful Soup
parses the HTML (with Python's own parser); nothing here reads HTML with patterns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4.element import Tag

# Not part of what a reader reads: chrome around the page, and what is never shown.
_DROPPED = frozenset(
    {"head", "script", "style", "noscript", "template", "svg", "nav", "header", "footer",
     "aside", "button", "form", "iframe", "canvas", "select", "input"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {"address", "article", "blockquote", "caption", "dd", "details", "dialog", "div", "dl",
     "dt", "fieldset", "figcaption", "figure", "hr", "li", "main", "ol", "p", "section",
     "summary", "table", "tbody", "tfoot", "thead", "tr", "ul", "body", "html"}
)  # fmt: skip
_CONTAINERS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl"})
_SPACES = re.compile(r"\s+")
_BULLET = "  • "
MAX_BYTES = 10 * 1024 * 1024


class PageError(Exception):
    """A page that cannot be had: the message names the URL and what went wrong."""


def html_to_text(html: str) -> str:
    """The text a reader sees on the page; PageError for HTML nested too deep to walk."""
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "html.parser")
        root = soup.body or soup
        writer = _Writer()
        writer.walk(root)
        return writer.result()
    except RecursionError:  # no documentation page nests hundreds of elements deep
        raise PageError("the page's HTML is nested too deeply to be read") from None


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pieces: list[str] = []
        self.prefix = ""
        self.in_row = 0  # inside a table row, whose cells run together on one line

    def walk(self, tag: Tag) -> None:
        from bs4.element import Comment, NavigableString, Tag

        for node in tag.children:
            if isinstance(node, Comment):
                continue
            if isinstance(node, NavigableString):
                if tag.name in _CONTAINERS and str(node).isspace():
                    continue  # the source's indentation between rows, cells or items
                self.pieces.append(_SPACES.sub(" ", str(node)))
            elif isinstance(node, Tag):
                self.element(node)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name in _DROPPED or _hidden(tag):
            return
        if name == "br":
            self.end_line()
        elif name == "pre":
            self.end_line()
            self.lines.extend(tag.get_text().rstrip("\n").split("\n"))
        elif name in _HEADINGS:
            self.blank_line()
            self.walk(tag)
            self.blank_line()
        elif name == "li":
            self.end_line()
            self.prefix = _BULLET
            self.walk(tag)
            self.end_line()
            self.prefix = ""
        elif name == "tr":
            self.end_line()
            self.in_row += 1
            self.walk(tag)
            self.in_row -= 1
            self.end_line()
        elif name in _BLOCKS and not self.in_row:
            self.end_line()
            self.walk(tag)
            self.end_line()
        else:
            self.walk(tag)

    def end_line(self) -> None:
        text = _SPACES.sub(" ", "".join(self.pieces)).strip()
        if text:
            self.lines.append(self.prefix + text)
            self.prefix = ""
        self.pieces = []

    def blank_line(self) -> None:
        self.end_line()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def result(self) -> str:
        self.end_line()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines)


def _hidden(tag: Tag) -> bool:
    """A tab panel or element the site does not show: only the open code tab is read."""
    style = str(tag.get("style") or "").replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or tag.get("role") == "tablist"
        or "display:none" in style
    )


def fetch_text(url: str, *, timeout: float) -> str:
    """The page at ``url`` as stored text; redirects, errors and non-HTML are PageErrors."""
    html = fetch_html(url, timeout=timeout)
    try:
        return html_to_text(html)
    except PageError as exc:
        raise PageError(f"{shown(url)}: {exc}") from None


def shown(url: str) -> str:
    """A URL as it may be printed: its password hidden, control characters escaped."""
    from apimart_codegen.netpolicy import printable, shown_url

    return printable(shown_url(url), keep_newlines=False)


def fetch_html(url: str, *, timeout: float) -> str:
    """The HTML at ``url``, fetched through ``netpolicy``: ``timeout`` seconds in all
    (connect, headers and body), at most MAX_BYTES read, no redirect followed."""
    import httpx

    from apimart_codegen.netpolicy import (
        AnswerTooLarge,
        DeadlineTransport,
        printable,
        read_capped,
    )

    where = shown(url)
    try:
        with (
            httpx.Client(
                transport=DeadlineTransport(deadline=timeout),
                timeout=timeout,
                follow_redirects=False,
            ) as client,
            client.stream("GET", url, headers={"Accept": "text/html"}) as response,
        ):
            if response.is_redirect:
                target = shown(response.headers.get("location", "?"))
                raise PageError(
                    f"{where}: redirected (HTTP {response.status_code}) to {target}; "
                    "if the page moved, put its new address in the spec's url"
                )
            if response.status_code != 200:
                reason = shown(response.reason_phrase)
                raise PageError(f"{where}: HTTP {response.status_code} {reason}")
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in ("text/html", "application/xhtml+xml"):
                raise PageError(
                    f"{where}: not an HTML page (Content-Type: {shown(kind) or 'none'})"
                )
            body = read_capped(response, max_bytes=MAX_BYTES)
            charset = response.encoding or "utf-8"
            try:
                return body.decode(charset, errors="replace")
            except LookupError:  # a codec Python has, but not for bytes (rot13...)
                raise PageError(f"{where}: unknown charset {shown(charset)!r}") from None
    except AnswerTooLarge:
        raise PageError(f"{where}: larger than {MAX_BYTES // (1024 * 1024)} MiB") from None
    except httpx.TimeoutException:
        raise PageError(f"{where}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        detail = f"{exc.__class__.__name__}: {printable(str(exc).replace(url, where))}"
        raise PageError(f"{where}: cannot be fetched ({detail})") from None
