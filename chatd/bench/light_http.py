"""A light keep-alive HTTP/1.1 client for the REST scenarios: raw asyncio
streams, one request at a time per connection (no pipelining).

httpx costs about as much CPU per request as the server does (see the
history scenario), so with it the generator, not chatd, would set the pace
on two shared cores. This client builds the request bytes itself and parses
only the status line, Content-Length (or chunks) and the body.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import msgspec

API = "/api/v1"


class HttpError(Exception):
    def __init__(self, status: int, body: bytes):
        super().__init__(f"HTTP {status}: {body[:200]!r}")
        self.status, self.body = status, body


class LightHttp:
    """One connection; `await call(method, path, json)` returns (status, body bytes)."""

    def __init__(self, url: str, token: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._head = (f"Host: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
                      "Content-Type: application/json\r\n").encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._reader = self._writer = None

    async def call(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self._writer is None:
            await self._connect()
        assert self._reader is not None and self._writer is not None
        self._writer.write(b"%s %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s" % (
            method.encode(), (API + path).encode(), self._head, len(body), body))
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = None, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            data = await self._chunks()
        elif length is not None:
            data = await self._reader.readexactly(length)
        else:  # no length: the body runs to the end of the connection
            data, close = await self._reader.read(), True
        if close:
            await self.close()
        return status, data

    async def _chunks(self) -> bytes:
        assert self._reader is not None
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self._reader.readexactly(size + 2))
            if size == 0:
                return b"".join(p[:-2] for p in parts)

    async def json(self, method: str, path: str, payload: object = None, ok: tuple[int, ...] = (200, 201)) -> object:
        status, data = await self.call(method, path, b"" if payload is None else msgspec.json.encode(payload))
        if status not in ok:
            raise HttpError(status, data)
        return msgspec.json.decode(data) if data else None
