"""frames.parse: one typed decode for a well-formed frame, the long way
(dict, then each part converted) only for what it refuses. Both ways must
agree on every input: the same frame, or the same error frame."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from chatd.realtime import frames
from chatd.realtime.frames import Send
from chatd.services.message_input import SendMessage

ENVELOPE = {"alg": "x25519", "sender_device": "d1", "nonce": "n", "ciphertext": "c", "keys": {"d2": "k"}, "sig": ""}
SEND = {"type": "send", "id": 7, "conversation_id": "c1", "client_id": "abc-1", "body": "hi \u00e9 \\\" there"}
FRAMES: list[Any] = [
    SEND,
    {**SEND, "id": "frame-7"},
    {"conversation_id": "c1", "body": "type last", "client_id": "x", "id": 1, "type": "send"},
    {**SEND, "kind": "text", "reply_to": "m1", "attachments": ["a1", "a2"], "mentions": ["u1"]},
    {**SEND, "kind": "encrypted", "envelope": ENVELOPE, "body": None},
    {**SEND, "envelope": {**ENVELOPE, "extra": 1}},
    {**SEND, "id": True},
    {**SEND, "id": 1.5},
    {**SEND, "id": ""},
    {**SEND, "id": "x" * 65},  # no longer than 64 for the typed pass; the long way takes any string
    {**SEND, "id": 2**63},
    {**SEND, "id": -1},
    {k: v for k, v in SEND.items() if k != "id"},
    {k: v for k, v in SEND.items() if k != "conversation_id"},
    {**SEND, "conversation_id": 5},
    {**SEND, "conversation_id": ""},
    {**SEND, "client_id": "no spaces"},
    {k: v for k, v in SEND.items() if k != "client_id"},
    {**SEND, "kind": "bogus"},
    {**SEND, "extra": "field"},
    {**SEND, "attachments": ["a"] * 21},
    {**SEND, "mentions": "u1"},
    {**SEND, "body": 5},
    {"type": "ping"},
    {"type": "ping", "id": 3},
    {"type": "ping", "id": "p"},
    {"type": "ping", "id": None},
    {"type": "ping", "id": True},
    {"type": "ping", "id": []},
    {"type": "ping", "extra": 1},
    {"type": "typing", "conversation_id": "c1"},
    {"type": "typing", "conversation_id": "c1", "id": 9},
    {"type": "typing"},
    {"type": "read", "conversation_id": "c1", "seq": 4, "id": "r"},
    {"type": "read", "conversation_id": "c1", "seq": -1, "id": "r"},
    {"type": "read", "conversation_id": "c1", "seq": 2**62 + 1},
    {"type": "presence", "state": "away"},
    {"type": "presence", "state": "busy", "id": 2},
    {"type": "auth", "token": "t"},
    {"type": "auth", "token": ""},
    {"type": "nope", "id": 4},
    {"type": 3},
    {"id": 4},
    {},
    [],
    [SEND],
    "send",
    None,
    5,
]
RAW = [
    '{"type":"ping","id":1,"id":2}',  # a repeated key: the last one counts, both ways
    '{"type":"ping","type":"send","id":1}',
    '{"type":"send","id":1,"conversation_id":"c","client_id":"a","body":"x","body":"y"}',
    '{"type":"ping"',
    '{"type":"ping"} x',
    "",
    "   ",
    '{"type":"ping","id":1e3}',
    '{"type":"send","id":1,"conversation_id":"c","client_id":"a","body":"\\ud800"}',
    '{"type":"send","id":1,"conversation_id":"c","client_id":"a","envelope":' + "[" * 40 + "]" * 40 + "}",
    '{"type":"ping","id":' + "[" * 20 + "]" * 20 + "}",
    "[" * 33 + "]" * 33,
    '{"type":"send","id":1,"conversation_id":"c","client_id":"a","body":"' + "x" * (frames.MAX_FRAME_CHARS) + '"}',
]


def long_way(data: str | bytes) -> Any:
    """parse as it was before the typed pass: the size, then the long way."""
    if len(data) > frames.MAX_FRAME_CHARS:
        raise frames.FrameError(f"A frame is at most {frames.MAX_FRAME_CHARS} characters.", code="frame_too_large")
    return frames._parse_refused(data)


def outcome(parse: Any, data: str | bytes) -> tuple[str, Any]:
    try:
        frame = parse(data)
    except frames.FrameError as err:
        return "error", (err.code, err.detail, err.frame_id, frames.error(err, err.frame_id))
    if isinstance(frame, Send):
        message = {f: getattr(frame.message, f) for f in SendMessage.__struct_fields__}
        return "send", (frame.id, frame.conversation_id, msgspec.to_builtins(message))
    return type(frame).__name__, msgspec.to_builtins(frame)


@pytest.mark.parametrize("data", [json.dumps(f) for f in FRAMES] + RAW)
def test_the_typed_pass_and_the_long_way_agree(data: str):
    for given in (data, data.encode()):
        assert outcome(frames.parse, given) == outcome(long_way, given)


def test_a_well_formed_send_is_one_pass_and_its_message_is_a_send_message(monkeypatch):
    def refuse(data: Any) -> Any:
        raise AssertionError("took the long way")

    monkeypatch.setattr(frames, "_parse_refused", refuse)
    frame = frames.parse(json.dumps({**SEND, "envelope": ENVELOPE, "kind": "encrypted", "body": None}))
    assert isinstance(frame, Send) and isinstance(frame.message, SendMessage)
    assert (frame.id, frame.conversation_id, frame.message.client_id) == (7, "c1", "abc-1")
    assert frame.message.envelope is not None and frame.message.envelope.keys == {"d2": "k"}
