"""What the client raises: the server's problem details, as one exception."""

from __future__ import annotations

from typing import Any

import msgspec


class ChatdError(Exception):
    """An RFC 9457 problem from the server (HTTP answer or WebSocket `error`
    frame). `status` is the HTTP status (0 when a frame carried none), `code`
    the stable machine-readable code, `problem` the whole body (e.g.
    `problem["current"]` on a 409 version conflict)."""

    def __init__(self, status: int, code: str, detail: str = "", problem: dict[str, Any] | None = None):
        super().__init__(f"{status} {code}: {detail}" if detail else f"{status} {code}")
        self.status = status
        self.code = code
        self.detail = detail
        self.problem = problem or {}

    @classmethod
    def of_problem(cls, status: int, body: Any) -> "ChatdError":
        if not isinstance(body, dict):
            return cls(status, "error", str(body)[:200])
        return cls(
            int(body.get("status") or status),
            str(body.get("code") or "error"),
            str(body.get("detail") or body.get("title") or ""),
            body,
        )

    @classmethod
    def of_response(cls, status: int, content: bytes) -> "ChatdError":
        try:
            body = msgspec.json.decode(content) if content else {}
        except msgspec.DecodeError:
            body = content.decode("utf-8", "replace")
        kind = ResyncRequired if status == 410 and cls is ChatdError else cls
        return kind.of_problem(status, body)


class ConnectionLost(Exception):
    """The WebSocket is gone for good: reconnecting failed or was refused
    (e.g. the token is no longer valid). Sends still unanswered get this."""


class ResyncRequired(ChatdError):
    """The resume cursor is older than the server keeps (HTTP 410) or the
    server dropped this client for falling behind: refetch state, then
    `sync()` from the cursor the problem names (or from scratch)."""
