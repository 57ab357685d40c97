"""Where a socket's credentials come from, in this order:

1. `Authorization: Bearer <token>`: scripts and bots.
2. A subprotocol `token.<token>` (or `bearer.<token>`) offered beside `chatd`
   (`new WebSocket(url, ["chatd", "token." + t])`): browsers cannot set
   headers. The answer names only `chatd`, never the token.
3. The session cookie of the web UI, only from our own origin: a page on
   another site would otherwise ride the cookie into a live socket
   (cross-site WebSocket hijacking).
4. Nothing in the handshake: the first frame must be {"type":"auth","token"}.

Tokens never appear in the URL (URLs end up in logs) and are never logged.
"""

from __future__ import annotations

from typing import Literal, NamedTuple
from urllib.parse import urlsplit

from litestar.connection import WebSocket
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from chatd.api.security import session_cookie
from chatd.config import Config
from chatd.errors import Forbidden, Invalid

SUBPROTOCOL = "chatd"
TOKEN_PREFIXES = ("token.", "bearer.")
Source = Literal["header", "subprotocol", "cookie", "frame"]


class Handshake(NamedTuple):
    token: str | None
    source: Source | None
    subprotocol: str | None  # what to answer


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(socket: WebSocket, config: Config) -> bool:
    origin = socket.headers.get("origin")
    if origin is None:
        return True  # not a browser: no ambient cookie was sent on someone else's behalf
    allowed = {_origin(config.server.public_url)}
    host = socket.headers.get("host")
    if host:
        allowed |= {f"http://{host}".lower(), f"https://{host}".lower()}
    return origin.rstrip("/").lower() in allowed


def offered(socket: WebSocket) -> list[str]:
    return [p.strip() for p in socket.scope.get("subprotocols") or []]


def answer_subprotocol(socket: WebSocket) -> str | None:
    return SUBPROTOCOL if SUBPROTOCOL in offered(socket) else None


def read_handshake(socket: WebSocket, config: Config) -> Handshake:
    """The credentials the upgrade request carries; raises for unusable ones."""
    answer = answer_subprotocol(socket)
    header = socket.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        return Handshake(token.strip() if scheme.lower() == "bearer" else "", "header", answer)
    for proto in offered(socket):
        for prefix in TOKEN_PREFIXES:
            if proto.startswith(prefix):
                if answer is None:
                    raise Invalid(f'Offer the "{SUBPROTOCOL}" subprotocol beside the token.', code="subprotocol")
                return Handshake(proto[len(prefix):], "subprotocol", answer)
    if offered(socket) and answer is None:
        raise Invalid(f'The only subprotocol spoken here is "{SUBPROTOCOL}".', code="subprotocol")
    cookie = session_cookie(socket)
    if cookie:
        if not same_origin(socket, config):
            raise Forbidden("A session cookie is accepted only from this site's own pages.", code="bad_origin")
        return Handshake(cookie, "cookie", answer)
    return Handshake(None, None, answer)


def forget_handshake(socket: WebSocket) -> None:
    """Drop the upgrade request's headers once everything read from them is
    read (credentials, origin, address, cursor): parsed and raw they were
    ~2 KB of every held socket. Nothing reads a live socket's headers again."""
    state = ScopeState.from_scope(socket.scope)
    state.headers = state.cookies = Empty
    socket.scope["headers"] = []
