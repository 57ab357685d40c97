"""The socket adapter: every key operation is one round trip to the key
process (serve.py); this process never holds a master key, only the data
key of a blob while it streams it.

Idle connections are kept (a few) and reused; one that fails (the key
process restarted) is dropped and the request tried once on a new one.
When the key process does not answer, KeysUnavailable (503): nothing done.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from chatd.keys import wire
from chatd.keys.ring import KeyInfo, KeyRing, KeysUnavailable

IDLE = 4  # connections kept open
TIMEOUT = 5.0  # seconds for one round trip


class SocketKeyRing(KeyRing):
    def __init__(self, path: str):
        self.path = path
        self.info = KeyInfo()
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def start(self, wait_seconds: float = 10.0) -> None:
        """Asks what keys there are; waits a little for a key process still starting."""
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            try:
                self.info = msgspec.convert(await self._call(wire.Info()), KeyInfo)
                return
            except KeysUnavailable:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)

    async def _call(self, request: wire.Request) -> Any:
        for attempt in (0, 1):
            pooled = attempt == 0 and bool(self._idle)
            try:
                conn = self._idle.pop() if pooled else await asyncio.wait_for(
                    asyncio.open_unix_connection(self.path, limit=wire.MAX_FRAME + 64), TIMEOUT)
                reader, writer = conn
                writer.write(wire.frame(wire.encode(request)))
                reply = wire.decode_reply(await asyncio.wait_for(wire.read_frame(reader), TIMEOUT))
            except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.TimeoutError, wire.FrameTooLarge,
                    msgspec.DecodeError) as err:
                if pooled:
                    conn[1].close()
                    continue  # a connection to a key process that restarted: once more on a new one
                raise KeysUnavailable("The key service does not answer; try again in a moment.") from err
            if len(self._idle) < IDLE:
                self._idle.append(conn)
            else:
                writer.close()
            if reply.error:
                raise ValueError(f"key process: {reply.error}")
            return reply.value
        raise AssertionError("unreachable")

    async def pepper(self, data: bytes) -> bytes:
        return await self._call(wire.Pepper(data=data))

    async def seal_secret(self, user_id: str, secret: str) -> str:
        return await self._call(wire.SealSecret(user_id=user_id, secret=secret))

    async def open_secret(self, user_id: str, stored: str) -> tuple[int, str] | None:
        found = await self._call(wire.OpenSecret(user_id=user_id, stored=stored))
        return None if found is None else (found[0], found[1])

    async def new_data_key(self) -> tuple[bytes, bytes]:
        key, wrapped = await self._call(wire.NewDataKey())
        return key, wrapped

    async def unwrap(self, wrapped: bytes) -> tuple[int, bytes] | None:
        found = await self._call(wire.Unwrap(wrapped=wrapped))
        return None if found is None else (found[0], found[1])

    async def rewrap(self, wrapped: bytes) -> bytes | None:
        return await self._call(wire.Rewrap(wrapped=wrapped))

    async def open_legacy(self, version: int, prefix: bytes, nonce: bytes, sealed: bytes) -> bytes | None:
        return await self._call(wire.OpenLegacy(version=version, prefix=prefix, nonce=nonce, sealed=sealed))

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
