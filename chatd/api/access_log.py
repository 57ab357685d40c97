"""The administrator's audit log, `chatd.access` (ASVS 7.2.2, 8.3.5).

Three kinds of line: a caller refused (403, WARNING), a signed-in caller
told a conversation, message or attachment does not exist (404, INFO) and
an admin reading the server's lists (INFO). Each names the account by id
and username and the thing by id; never a token, cookie, body or secret.
"""

from __future__ import annotations

import logging

from litestar import Request

from chatd.domain import User
from chatd.errors import ChatError

log = logging.getLogger("chatd.access")

# A non-member gets these 404s, the same answer as for an id that does not
# exist (so nothing is revealed); the path parameter holds the id asked for.
HIDDEN = {
    "conversation_not_found": ("conversation", "conversation_id"),
    "message_not_found": ("message", "message_id"),
    "attachment_not_found": ("attachment", "attachment_id"),
}


def _path(request: Request) -> str:
    """The path as asked, escaped: `%0A` in a URL arrives decoded and must
    not start a forged line (ASVS 7.3.1)."""
    return repr(request.url.path)[1:-1]


def refused(request: Request, exc: ChatError) -> None:
    """A 403 (CSRF, admin only, a disabled account, a rule)."""
    user = request.scope.get("user")
    log.warning("refused %s %s: %s; account %r", request.method, _path(request), exc.code,
                getattr(user, "username", None))


def not_found(request: Request, exc: ChatError) -> None:
    """A signed-in caller's 404 on another's conversation, message or
    attachment, or on one that does not exist: the log cannot tell which
    either. INFO, not WARNING: a stale link or a conversation just left
    gives one too, and only a run of them from one account is a probe."""
    user = request.scope.get("user")
    hidden = HIDDEN.get(exc.code)
    if user is None or hidden is None:
        return
    kind, param = hidden
    resource = request.path_params.get(param, "(in the body)")
    log.info("not found for user %s (%r): %s %r (%s %s)", user.id, user.username, kind, resource, request.method,
             _path(request))


def admin_read(me: User, what: str, count: int | None = None, **asked: object) -> None:
    """An admin read a list or figures of the whole server: what and how much
    (the query, never the rows)."""
    query = "".join(f" {k}={v!r}" for k, v in asked.items())
    items = "" if count is None else f": {count} items"
    log.info("admin read: user %s (%r) read %s%s%s", me.id, me.username, what, query, items)
