"""The socket adapter: every key operation is one round trip to the key
process (serve.py); this process never holds a master key, only the data
key of a blob while it streams it.

Idle connections are kept (a few) and reused; one that fails (the key
process restarted) is dropped and the request tried once on a new one.
When the key process does not answer, KeysUnavailable (503): nothing done.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec

from chatd.keys import wire
from chatd.keys.ring import KeyInfo, KeyRing, KeysUnavailable

IDLE = 4  # connections kept open
TIMEOUT = 5.0  # seconds for one round trip
Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]
LOST = (OSError, EOFError, asyncio.IncompleteReadError, asyncio.TimeoutError, wire.FrameTooLarge, msgspec.DecodeError,
        msgspec.ValidationError)
log = logging.getLogger("chatd.keys")


async def _ask(conn: Conn, request: wire.Request) -> wire.Reply:
    reader, writer = conn
    writer.write(wire.frame(wire.encode(request)))
    return wire.decode_reply(await asyncio.wait_for(wire.read_frame(reader), TIMEOUT))


class SocketKeyRing(KeyRing):
    def __init__(self, path: str):
        self.path = path
        self.info = KeyInfo()
        self._idle: list[Conn] = []

    async def start(self, wait_seconds: float = 10.0) -> None:
        """Asks what keys there are; waits a little for a key process still starting."""
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            try:
                self._idle.append(await self._connect())
                return
            except LOST as err:
                if asyncio.get_running_loop().time() >= deadline:
                    raise KeysUnavailable(f"keys.socket: the key process at {self.path} does not answer "
                                          f"({err.__class__.__name__}: {err}); start it (`chatd keys serve`)") from None
                await asyncio.sleep(0.2)

    async def _connect(self) -> Conn:
        """A new connection, and what keys the key process (maybe restarted,
        maybe with rotated keys) holds now: new ones are used at once."""
        conn = await asyncio.wait_for(asyncio.open_unix_connection(self.path, limit=wire.MAX_FRAME + 64), TIMEOUT)
        reply = await _ask(conn, wire.Info())
        info = msgspec.convert(reply.value, KeyInfo)
        if self.info.pepper_id and info.pepper_id != self.info.pepper_id:
            conn[1].close()
            # Hashes would be labelled with the old pepper's id: sign-ins would fail, new hashes be wrong.
            log.error("the key process now has pepper %s, this server started with %s: restart chatd",
                      info.pepper_id, self.info.pepper_id)
            raise KeysUnavailable("The key service changed its password pepper; the server must be restarted.")
        self.info = info
        return conn

    async def _call(self, request: wire.Request) -> Any:
        for attempt in (0, 1):
            pooled = attempt == 0 and bool(self._idle)
            conn = None
            try:
                conn = self._idle.pop() if pooled else await self._connect()
                reply = await _ask(conn, request)
            except LOST as err:
                if conn is not None:
                    conn[1].close()
                if pooled:
                    continue  # a connection to a key process that restarted: once more on a new one
                raise KeysUnavailable("The key service does not answer; try again in a moment.") from err
            except BaseException:  # cancelled mid-request: its reply would confuse the next one
                if conn is not None:
                    conn[1].close()
                raise
            if len(self._idle) < IDLE:
                self._idle.append(conn)
            else:
                conn[1].close()
            if reply.error:  # e.g. a key process restarted without the media key this server was told of
                log.error("the key process refused %s: %s", type(request).__name__, reply.error)
                raise KeysUnavailable("The key service refused the request.", code="keys_refused")
            return reply.value
        raise AssertionError("unreachable")

    async def ping(self) -> None:
        await self._call(wire.Info())

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
