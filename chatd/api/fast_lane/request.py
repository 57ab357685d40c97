"""What the lane reads of a request before deciding to take it: the bearer
token or the session cookie (cookie.py), the few headers that matter, and
the body, kept for a replay."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.types import Message, Receive, Scope

from chatd.api.fast_lane.cookie import cookie_session, names_a_session
from chatd.api.header_limit import MAX_HEADER_BYTES


class Headers:
    """The request headers the lane needs, or None from `read_headers` when
    anything about them is for Litestar to judge."""

    __slots__ = ("token", "content_type", "content_length")

    def __init__(self, token: str, content_type: bytes | None, content_length: bytes | None):
        self.token = token
        self.content_type = content_type
        self.content_length = content_length


# The headers the lane reads; each at most once (two of one: whichever
# Litestar reads, it is its call).
READ = frozenset((b"authorization", b"content-type", b"content-length", b"cookie", b"x-csrf-token"))


def read_headers(scope: Scope, session_cookie: str) -> Headers | None:
    """`session_cookie`: the session cookie's name on this server."""
    found: dict[bytes, bytes] = {}
    size = 0
    for name, value in scope["headers"]:
        size += len(name) + len(value)
        if name in READ:
            if name in found:
                return None
            found[name] = value
    if size > MAX_HEADER_BYTES:  # header_limit's 431: Litestar's
        return None
    authorization, cookie = found.get(b"authorization"), found.get(b"cookie")
    if authorization is not None:
        # Bearer and a session cookie at once: Litestar's call (its bearer wins).
        token = None if cookie is not None and names_a_session(cookie) else _bearer(authorization)
    elif cookie is not None:
        token = cookie_session(cookie, session_cookie, scope["method"], found.get(b"x-csrf-token"))
    else:
        token = None
    return None if token is None else Headers(token, found.get(b"content-type"), found.get(b"content-length"))


def _bearer(authorization: bytes) -> str | None:
    # As security.credentials() reads it (Litestar decodes headers as latin-1).
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def read_body(receive: Receive, limit: int, received: list[Message]) -> bytes | None:
    """The whole body, or None past `limit` or on a disconnect. Every event
    read is appended to `received`, for `replay`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        event = await receive()
        received.append(event)
        if event["type"] != "http.request":
            return None
        chunk = event.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        if not event.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def replay(received: list[Message], receive: Receive) -> Callable[[], Awaitable[Any]]:
    """A receive that gives the events already read again, then the rest."""
    pending = list(received)

    async def again() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return again
