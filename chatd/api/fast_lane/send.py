"""POST /api/v1/conversations/{id}/messages in the lane: a JSON body that
decodes into SendMessage in one pass, else Litestar answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar import Litestar
from litestar.types import Message, Receive, Scope, Send

from chatd.api.bounded_request import is_json
from chatd.api.fast_lane.answer import error_answer, json_answer
from chatd.api.fast_lane.request import Headers, read_body, replay
from chatd.bounds import check_json_depth

if TYPE_CHECKING:
    from chatd.api.fast_lane.dispatch import FastLane

_encode = msgspec.json.Encoder().encode


async def send_message(lane: FastLane, app: Litestar, scope: Scope, receive: Receive, send: Send, headers: Headers,
                       conversation_id: str) -> None:
    received: list[Message] = []
    body = await _body(lane, headers, receive, received)
    data = _decoded(lane.decoder, body)
    found = await lane.authenticated(app, headers.token) if data is not None else None
    if found is None:  # nothing done yet: Litestar reads the same request and gives its answer
        await lane.litestar(app, scope, replay(received, receive), send)
        return
    user, session = found
    try:
        message, created = await app.state.runtime.services.messages.send(user.id, conversation_id, data)
    except Exception as exc:  # noqa: BLE001 - answered as the route's own error would be
        await error_answer(app, scope, receive, send, exc, {"conversation_id": conversation_id}, user, session)
        return
    await json_answer(app, scope, send, 201 if created else 200, _encode(message))


async def _body(lane: FastLane, headers: Headers, receive: Receive, received: list[Message]) -> bytes | None:
    if headers.content_type is None or not is_json(headers.content_type.decode("latin-1")):
        return None
    if headers.content_length is not None:
        if not headers.content_length.isdigit() or int(headers.content_length) > lane.max_body:
            return None
    return await read_body(receive, lane.max_body, received)


def _decoded(decoder: msgspec.json.Decoder, body: bytes | None) -> object | None:
    if not body:
        return None
    try:
        check_json_depth(body)
        return decoder.decode(body)
    except Exception:  # noqa: BLE001 - the usual path makes the same refusal and answers it
        return None
