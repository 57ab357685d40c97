"""clamd's INSTREAM protocol over its socket (unix or TCP), no clamdscan
needed: "zINSTREAM\\0", then chunks as a 4-byte big-endian length and the
bytes, a zero length to end; the answer is "stream: OK", "stream: NAME
FOUND" or an ERROR line, ended by NUL. clamd spools the stream to its own
temporary file and refuses one over its StreamMaxLength (25 MB unless
raised): set that at least to limits.max_upload_mb.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from chatd.storage.ports.scanner import ScannerDown, Verdict
from chatd.storage.scan.findings import safe_finding

PIECE = 64 * 1024
REPLY_MAX = 4096


def parse_address(address: str) -> tuple[str, str | int]:
    """unix:///run/clamav/clamd.ctl -> ("unix", path); tcp://host:3310 -> (host, port)."""
    parts = urlsplit(address)
    if parts.scheme == "unix" and parts.path:
        return "unix", parts.path
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        return parts.hostname, parts.port
    raise ValueError("expected unix:///path/to/clamd.socket or tcp://host:3310")


class ClamdScanner:
    def __init__(self, address: str):
        self.host, self.port = parse_address(address)
        self.description = f"clamd at {address}"

    async def begin(self) -> ClamdScan:
        try:
            if self.host == "unix":
                reader, writer = await asyncio.open_unix_connection(str(self.port))
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as err:
            raise ScannerDown(f"cannot reach clamd: {err.strerror or err}") from None
        writer.write(b"zINSTREAM\0")
        return ClamdScan(reader, writer)


class ClamdScan:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.cut_off = False  # clamd closed its end (over StreamMaxLength): its reply says why

    async def feed(self, chunk: bytes) -> None:
        if self.cut_off:
            return
        view = memoryview(chunk)
        try:
            for start in range(0, len(view), PIECE):
                piece = view[start:start + PIECE]
                self.writer.write(len(piece).to_bytes(4, "big"))
                self.writer.write(piece)
                await self.writer.drain()
        except ConnectionError:
            self.cut_off = True

    async def verdict(self) -> Verdict:
        if not self.cut_off:
            try:
                self.writer.write(b"\0\0\0\0")
                await self.writer.drain()
            except ConnectionError:
                self.cut_off = True
        reply = b""
        try:
            while len(reply) < REPLY_MAX and not reply.endswith(b"\0"):
                more = await self.reader.read(REPLY_MAX - len(reply))
                if not more:
                    break
                reply += more
        except ConnectionError:
            pass
        text = safe_finding(reply.rstrip(b"\0"))
        if not text:
            return Verdict("failed", "clamd closed the connection without an answer")
        name = text.removeprefix("stream: ")
        if text.endswith(" FOUND"):
            return Verdict("infected", name.removesuffix(" FOUND"))
        if text == "stream: OK" and not self.cut_off:
            return Verdict("clean")
        return Verdict("failed", name)

    async def abort(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except ConnectionError:
            pass
