"""GET /api/v1/conversations/{id}/messages in the lane: only a query of the
route's own parameters, each once, plain decimal digits within their
bounds; anything else (Litestar's 400s included) is Litestar's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Litestar
from litestar.types import Receive, Scope, Send

from chatd.api.fast_lane.answer import error_answer, json_answer
from chatd.api.fast_lane.request import Headers
from chatd.bounds import MAX_INT64

if TYPE_CHECKING:
    from chatd.api.fast_lane.dispatch import FastLane

# name: (lowest, highest), as the route declares them
_BOUNDS = {"before_seq": (0, MAX_INT64), "after_seq": (0, MAX_INT64), "limit": (1, 200)}


def paging(query: bytes) -> dict[str, int] | None:
    """before_seq / after_seq / limit from the query, or None when the lane
    should not judge it."""
    found: dict[str, int] = {}
    if not query:
        return found
    for part in query.split(b"&"):
        name, eq, value = part.partition(b"=")
        key = name.decode("latin-1")
        bounds = _BOUNDS.get(key)
        # digits only (no sign, space or %-escape), no leading zero, at most 19
        if (bounds is None or not eq or key in found or not value.isdigit() or len(value) > 19
                or (value[0] == 48 and len(value) > 1)):
            return None
        number = int(value)
        if not bounds[0] <= number <= bounds[1]:
            return None
        found[key] = number
    return found


async def list_messages(lane: FastLane, app: Litestar, scope: Scope, receive: Receive, send: Send, headers: Headers,
                        conversation_id: str) -> None:
    asked = paging(scope["query_string"])
    found = await lane.authenticated(app, headers.token) if asked is not None else None
    if found is None:
        await lane.litestar(app, scope, receive, send)
        return
    user, session = found
    try:
        page = await app.state.runtime.services.messages.history_json(user.id, conversation_id, **asked)
    except Exception as exc:  # noqa: BLE001 - answered as the route's own error would be
        await error_answer(app, scope, receive, send, exc, {"conversation_id": conversation_id}, user, session)
        return
    await json_answer(app, scope, send, 200, page)
