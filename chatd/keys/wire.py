"""The key socket's frames: a 4-byte big-endian length, then one msgpack
message (msgspec). Every field is bounded, so a hostile frame costs at most
MAX_FRAME bytes and gets an Err, never a crash of the key process."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import msgspec
from msgspec import Meta

MAX_FRAME = 128 * 1024  # the largest request: one legacy media chunk (64 KiB + 16)
Id = Annotated[str, Meta(max_length=64)]
Small = Annotated[bytes, Meta(max_length=1024)]


class Request(msgspec.Struct, tag=True, forbid_unknown_fields=True):
    pass


class Info(Request):
    pass


class Pepper(Request):
    data: Annotated[bytes, Meta(max_length=8192)]


class SealSecret(Request):
    user_id: Id
    secret: Annotated[str, Meta(max_length=256)]


class OpenSecret(Request):
    user_id: Id
    stored: Annotated[str, Meta(max_length=1024)]


class NewDataKey(Request):
    pass


class Unwrap(Request):
    wrapped: Small


class Rewrap(Request):
    wrapped: Small


class OpenLegacy(Request):
    version: Annotated[int, Meta(ge=1, le=2)]
    prefix: Annotated[bytes, Meta(min_length=16, max_length=16)]
    nonce: Annotated[bytes, Meta(min_length=24, max_length=24)]
    sealed: Annotated[bytes, Meta(max_length=64 * 1024 + 16)]


REQUESTS = Info | Pepper | SealSecret | OpenSecret | NewDataKey | Unwrap | Rewrap | OpenLegacy


class Reply(msgspec.Struct):
    value: Any = None
    error: str = ""  # "" = done; else one line saying what was wrong with the request


encode = msgspec.msgpack.Encoder().encode
decode_request = msgspec.msgpack.Decoder(REQUESTS).decode
decode_reply = msgspec.msgpack.Decoder(Reply).decode


class FrameTooLarge(Exception):
    pass


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    size = int.from_bytes(await reader.readexactly(4), "big")
    if size > MAX_FRAME:
        raise FrameTooLarge(f"a frame of {size} bytes; at most {MAX_FRAME}")
    return await reader.readexactly(size)


def frame(message: bytes) -> bytes:
    return len(message).to_bytes(4, "big") + message
