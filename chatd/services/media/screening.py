"""Uploads pass a malware scanner before they are kept (ASVS 12.4.2), when
[media] names one (storage/scan/choose.py).

The bytes go to the scanner as they stream in (a tee: nothing extra held in
memory, and the scanner spools or reads them itself), while they go on to
the blob store. The verdict comes after the last byte, before the upload is
recorded: "infected" answers 422 attachment_rejected, anything else (a
crash, an odd exit status, a stall past media.scan_timeout_seconds, no
scanner at all) 503 scanner_unavailable; either way the caller removes the
bytes and records nothing. At most media.scan_concurrency scans run at once
in a process; an upload waits for a free one up to the same timeout.

End-to-end encrypted uploads are scanned too (so a client cannot skip the
scan by calling plain bytes encrypted), but their real ciphertext tells a
scanner nothing: their content cannot be checked on the server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chatd.config import Config
from chatd.errors import ChatError
from chatd.storage.ports.scanner import Scanner, ScannerDown, ScanSession, Verdict

log = logging.getLogger("chatd.media")
RETRY_AFTER = "30"


class AttachmentRejected(ChatError):
    status, code, title = 422, "attachment_rejected", "Upload rejected"


class ScannerUnavailable(ChatError):
    status, code, title = 503, "scanner_unavailable", "Scanner unavailable"


def unavailable() -> ScannerUnavailable:
    return ScannerUnavailable("Uploads are checked for malware, and the scanner is not answering right now; "
                              "nothing was stored. Try again shortly.", headers={"Retry-After": RETRY_AFTER})


class Scan:
    """One upload's scan: watch() the chunks, then verdict() once."""

    def __init__(self, session: ScanSession, timeout: float, description: str):
        self.session, self.timeout, self.description = session, timeout, description
        self._verdict: Verdict | None = None

    async def watch(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            if chunk:
                try:
                    async with asyncio.timeout(self.timeout):
                        await self.session.feed(chunk)
                except TimeoutError:
                    log.error("media: the scanner (%s) read nothing for %.0f s; upload refused",
                              self.description, self.timeout)
                    raise unavailable() from None
            yield chunk

    async def verdict(self, user_id: str, what: str, sha256: str, size: int) -> None:
        """Raise unless the scanner calls the whole upload clean."""
        if self._verdict is None:
            try:
                async with asyncio.timeout(self.timeout):
                    self._verdict = await self.session.verdict()
            except TimeoutError:
                self._verdict = Verdict("failed", f"no verdict within {self.timeout:.0f} s")
        v = self._verdict
        if v.outcome == "clean":
            return
        if v.outcome == "infected":
            # Ids, hash and the scanner's words only (never the file's name): an
            # admin can find the file's twin elsewhere by its sha256.
            log.warning("media: the scanner refused an upload: user %s, %s, sha256 %s, %d bytes, found %s",
                        user_id, what, sha256, size, v.finding or "?")
            raise AttachmentRejected("The malware scanner flagged this file; it was not stored.")
        log.error("media: the scanner (%s) failed on an upload: user %s, %s, sha256 %s: %s",
                  self.description, user_id, what, sha256, v.finding or "?")
        raise unavailable()


class Screen:
    def __init__(self, config: Config, scanner: Scanner | None):
        self.scanner = scanner
        self.timeout = config.media.scan_timeout_seconds
        self.slots = asyncio.Semaphore(config.media.scan_concurrency)

    @asynccontextmanager
    async def scanning(self) -> AsyncIterator[Scan | None]:
        """A Scan for one upload (None when no scanner is configured)."""
        if self.scanner is None:
            yield None
            return
        try:
            async with asyncio.timeout(self.timeout):
                await self.slots.acquire()
        except TimeoutError:
            log.error("media: every scan slot stayed busy for %.0f s; upload refused", self.timeout)
            raise unavailable() from None
        try:
            try:
                async with asyncio.timeout(self.timeout):
                    session = await self.scanner.begin()
            except (ScannerDown, TimeoutError) as err:
                log.error("media: the scanner (%s) cannot start a scan: %s", self.scanner.description,
                          err or "timed out")
                raise unavailable() from None
            try:
                yield Scan(session, self.timeout, self.scanner.description)
            finally:
                await session.abort()
        finally:
            self.slots.release()
