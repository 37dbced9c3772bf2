"""The request body cap, enforced before any endpoint reads the body.

A body announced longer than the cap (``Content-Length``) is answered 413 without
being kept. A chunked body is counted as it arrives and refused once it passes the
cap, so a client cannot make a worker buffer an unbounded upload. Either way the
worker goes on answering other requests.

Most clients send the whole body before they read the answer; a server that answers
and closes mid-upload makes them see a reset connection instead of the 413. So the
rest of a body is read and thrown away first, up to :data:`DRAIN_BYTES` (a client
that asked ``Expect: 100-continue`` has sent nothing and waits: it gets the 413 at
once, as does a body announced even larger).
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_BYTES = 64 * 2**20


def too_large(limit: int) -> str:
    return f"request body too large: the limit is {limit:,} bytes"


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > self.max_bytes
        ):
            if int(declared) <= DRAIN_BYTES and _header(scope, b"expect") is None:
                await _drain(receive, DRAIN_BYTES)
            await _refuse(send, self.max_bytes)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if message.get("more_body"):
                        await _drain(receive, DRAIN_BYTES - received)
                    # An HTTPException passes through FastAPI's body parsing as is
                    # (any other exception there becomes a 400).
                    raise HTTPException(413, too_large(self.max_bytes))
            return message

        await self.app(scope, counted, send)


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value).decode("latin-1").strip()
    return None


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop the rest of the body, ``budget`` bytes at most."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body"):
            return


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": too_large(limit)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
