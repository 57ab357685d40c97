"""The WebSocket protocol: client frames (validated), server frames, close codes.

Every frame is a JSON object with a `type`. Client to server:
  auth     {token}                                  only as the first frame
  send     {id, conversation_id, client_id, body | envelope, kind?, reply_to?,
            attachments?, mentions?}                -> ack {id, message, created}
  typing   {conversation_id, id?}                   -> ack when it has an id
  read     {conversation_id, seq, id?}              -> ack {id, last_read_seq}
  presence {state: "online" | "away", id?}          -> ack {id, state}
  ping     {id?}                                    -> pong {id}
Server to client: `hello` after authentication, replayed events, `ready`
{cursor} once caught up, then live events (objects with a `seq`), `presence`,
`typing`, `ack`, `pong`, `error` {id, status, code, title, detail} (the
socket stays open, except before the close codes below), and `resync`
{code: "too_slow", detail} just before close 4429: reconnect with the
cursor. A cursor the log cannot resume from gets an `error`
(cursor_expired / cursor_unknown) and close 4410: refetch state, then
reconnect without `since`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from chatd.bounds import TooDeep, decode_bounded
from chatd.domain import Event
from chatd.errors import ChatError
from chatd.services.message_input import SendMessage

# Close codes: 4000 + the HTTP status that means the same, so clients can
# reuse their REST handling. 1012 (service restart) and 4429 mean "reconnect".
CLOSE_RESTART = 1012
CLOSE_INTERNAL = 1011
CLOSE_TRY_AGAIN = 1013  # a store the socket needs (Redis) is not answering: reconnect with backoff
CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_IDLE = 4408
CLOSE_REPLACED = 4409  # the user opened more sockets than allowed: their oldest goes (do not reconnect it)
CLOSE_CURSOR_EXPIRED = 4410
CLOSE_FRAME_TOO_LARGE = 4413  # after an error frame `frame_too_large`
CLOSE_TOO_SLOW = 4429
CLOSE_TOO_MANY = 4429  # after an error frame `frame_rate` or `too_many_sockets`: reconnect later

MAX_FRAME_CHARS = 1 << 20

FrameId = Annotated[str, Meta(min_length=1, max_length=64)] | int
Id = Annotated[str, Meta(min_length=1, max_length=64)]


class ClientFrame(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, tag_field="type"):
    id: FrameId | None = None


class Auth(ClientFrame, tag="auth"):
    token: Annotated[str, Meta(min_length=1, max_length=512)]


class Typing(ClientFrame, tag="typing"):
    conversation_id: Id


class Read(ClientFrame, tag="read"):
    conversation_id: Id
    seq: Annotated[int, Meta(ge=0, le=2**62)]


class Presence(ClientFrame, tag="presence"):
    state: Literal["online", "away"]


class Ping(ClientFrame, tag="ping"):
    pass


class Send(msgspec.Struct, kw_only=True):
    """A `send` frame: the POST /messages body plus where and the frame id."""

    id: FrameId
    conversation_id: Id
    message: SendMessage


class SendFrame(SendMessage, tag="send", tag_field="type", kw_only=True):
    """A well-formed `send` frame as one Struct, decoded in one pass: the
    message's own fields and rules (a SendMessage) plus where and the frame id."""

    id: FrameId
    conversation_id: Id


SIMPLE = {"auth": Auth, "typing": Typing, "read": Read, "presence": Presence, "ping": Ping}
Frame = Auth | Typing | Read | Presence | Ping | Send
_decode = msgspec.json.Decoder().decode
# Every well-formed frame, straight into its Struct (the tag is `type`).
_decode_frame = msgspec.json.Decoder(Auth | Typing | Read | Presence | Ping | SendFrame).decode


class FrameError(ChatError):
    """A frame that cannot be understood; answered with an `error` frame."""

    status, code, title = 400, "invalid_frame", "Invalid frame"

    def __init__(self, detail: str, *, code: str | None = None, frame_id: Any = None):
        super().__init__(detail, code=code)
        self.frame_id = frame_id


def parse(data: str | bytes) -> Frame:
    """Decode and validate one client frame; raises FrameError.

    A well-formed frame takes one typed decode. Anything that decode refuses
    is parsed again the long way (`_parse_refused`), which names what is
    wrong and the frame id the error frame carries: refusals read exactly as
    they did before the typed pass, and only refusals pay for both."""
    if len(data) > MAX_FRAME_CHARS:
        raise FrameError(f"A frame is at most {MAX_FRAME_CHARS} characters.", code="frame_too_large")
    try:
        frame = decode_bounded(_decode_frame, data)
    except TooDeep as err:
        raise FrameError(str(err), code="too_deep") from None
    except msgspec.DecodeError:  # ValidationError too
        return _parse_refused(data)
    if isinstance(frame, SendFrame):
        # The frame itself is the message: a SendMessage with two fields more.
        return Send(id=frame.id, conversation_id=frame.conversation_id, message=frame)
    return frame


def _parse_refused(data: str | bytes) -> Frame:
    try:
        raw = decode_bounded(_decode, data)
    except TooDeep as err:
        raise FrameError(str(err), code="too_deep") from None
    except msgspec.DecodeError:
        raise FrameError("A frame is one JSON object.", code="invalid_json") from None
    if not isinstance(raw, dict):
        raise FrameError("A frame is one JSON object.", code="invalid_json")
    fid = raw.get("id")
    fid = fid if (isinstance(fid, int) and not isinstance(fid, bool)) or (isinstance(fid, str) and fid) else None
    kind = raw.get("type")
    try:
        if kind == "send":
            if fid is None:
                raise FrameError("A send frame needs an id to be acknowledged by.", code="missing_id")
            fields = {k: v for k, v in raw.items() if k not in ("type", "id", "conversation_id")}
            conv = msgspec.convert(raw.get("conversation_id"), Id)
            return Send(id=fid, conversation_id=conv, message=msgspec.convert(fields, SendMessage))
        if not isinstance(kind, str) or kind not in SIMPLE:
            known = ", ".join(["send", *SIMPLE])
            raise FrameError(f"Unknown frame type {kind!r}; known: {known}.", code="unknown_type", frame_id=fid)
        return msgspec.convert(raw, SIMPLE[kind])
    except msgspec.ValidationError as err:
        raise FrameError(str(err), frame_id=fid) from None
    except FrameError as err:
        err.frame_id = fid
        raise


class Internal(ChatError):
    status, code, title = 500, "internal", "Internal server error"


def encode(frame: dict[str, Any]) -> str:
    return msgspec.json.encode(frame).decode()


def encode_event(event: Event) -> str:
    """An event frame: the Event as it is in the log (the same bytes the hub sends live)."""
    return msgspec.json.encode(event).decode()


def error(err: ChatError, frame_id: Any = None) -> str:
    extra = {k: msgspec.to_builtins(v) for k, v in err.extra.items()}
    return encode({"type": "error", "id": frame_id, "status": err.status, "code": err.code, "title": err.title,
                   "detail": err.detail, **extra})


def ack(frame_id: Any, **fields: Any) -> str:
    return encode({"type": "ack", "id": frame_id, **fields})


def resync(code: str, detail: str) -> str:
    return encode({"type": "resync", "code": code, "detail": detail})
