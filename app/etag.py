"""ETags for the JSON API: every 200 JSON answer to a GET under /api/ carries a strong ETag (a
hash of its body), and a GET whose `If-None-Match` names it is answered 304 with no body. One
place for every route, so an integrator can revalidate any object or list cheaply; the
`Cache-Control: private, no-store` of the API stays (revalidation does not need a cache)."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Bodies larger than this are passed on as they come, without an ETag (not held in memory).
MAX_BODY = 8 * 1024 * 1024


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match asks: `W/` is ignored, `*` matches."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: MutableMapping[str, Any] | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # not ours to tag: passed on untouched

        async def wrapped(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                if (
                    message["status"] != 200
                    or not headers.get("content-type", "").startswith("application/json")
                    or "etag" in headers
                ):
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY:
                passing = True
                await send(start)
                await send(
                    {
                        "type": "http.response.body",
                        "body": b"".join(chunks),
                        "more_body": message.get("more_body", False),
                    }
                )
                return
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            etag = etag_of(body)
            headers = MutableHeaders(raw=list(start["headers"]))
            headers["ETag"] = etag
            if matches(if_none_match, etag):
                del headers["content-type"]
                del headers["content-length"]
                await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)
