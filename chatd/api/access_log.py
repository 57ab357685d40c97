"""The administrator's audit log, `chatd.access` (ASVS 7.2.2, 8.3.5).

Three kinds of line: a caller refused (403, WARNING), a signed-in caller
told a conversation, message or attachment does not exist (404, INFO) and
an admin reading the server's lists (INFO). Each names the account by id
and username and the thing by id; never a token, cookie, body or secret.

REST requests, GraphQL answers (chatd/gql/refusals.py) and WebSocket error
frames (chatd/realtime/reader.py) write the same lines; the route of the
last two is `GRAPHQL /api/v1/graphql <field>` and `WS /api/v1/ws <frame>`.
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


def _escaped(path: str) -> str:
    """A path (or a field or frame name) escaped: `%0A` in a URL arrives
    decoded and must not start a forged line (ASVS 7.3.1)."""
    return repr(path)[1:-1]


def _who(request: Request) -> tuple[str | None, str | None]:
    user = request.scope.get("user")
    return getattr(user, "id", None), getattr(user, "username", None)


def refused(request: Request, exc: ChatError) -> None:
    """A 403 (CSRF, admin only, a disabled account, a rule)."""
    refused_at(request.method, request.url.path, exc, _who(request)[1])


def refused_at(method: str, route: str, exc: ChatError, username: str | None) -> None:
    log.warning("refused %s %s: %s; account %r", method, _escaped(route), exc.code, username)


def not_found(request: Request, exc: ChatError) -> None:
    """A signed-in caller's 404 on another's conversation, message or
    attachment, or on one that does not exist: the log cannot tell which
    either. INFO, not WARNING: a stale link or a conversation just left
    gives one too, and only a run of them from one account is a probe."""
    hidden = HIDDEN.get(exc.code)
    if hidden is not None:
        resource = request.path_params.get(hidden[1], "(in the body)")
        not_found_at(request.method, request.url.path, exc, *_who(request), resource)


def not_found_at(method: str, route: str, exc: ChatError, user_id: str | None, username: str | None,
                 resource: object) -> None:
    hidden = HIDDEN.get(exc.code)
    if not user_id or hidden is None:
        return
    log.info("not found for user %s (%r): %s %r (%s %s)", user_id, username, hidden[0], resource, method,
             _escaped(route))


def refusal(method: str, route: str, exc: ChatError, user_id: str | None, username: str | None,
            resource: object = "(in the body)") -> None:
    """A 403 or a hidden 404 met outside a REST handler (a GraphQL field, a
    WebSocket frame): the same line its REST twin writes."""
    if exc.status == 403:
        refused_at(method, route, exc, username)
    elif exc.status == 404:
        not_found_at(method, route, exc, user_id, username, resource)


def admin_read(me: User, what: str, count: int | None = None, **asked: object) -> None:
    """An admin read a list or figures of the whole server: what and how much
    (the query, never the rows)."""
    query = "".join(f" {k}={v!r}" for k, v in asked.items())
    items = "" if count is None else f": {count} items"
    log.info("admin read: user %s (%r) read %s%s%s", me.id, me.username, what, query, items)
