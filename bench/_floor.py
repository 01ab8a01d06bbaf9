"""The floor of the mock benchmark: a hello-world ASGI app on the mock's own server stack.

uvicorn, its httptools protocol (h11 when httptools is missing, as for the mock), one
process, no access log, no server header: what an app costs before it does any work.
It reads the whole request body and answers a small JSON object.

``python bench/_floor.py PORT`` serves it on 127.0.0.1 until stopped.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

Message = MutableMapping[str, Any]

BODY = b'{"code":200,"data":{"id":"hello","status":"pending"}}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body", False):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main(port: int) -> None:
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        http="auto",
        interface="asgi3",
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
