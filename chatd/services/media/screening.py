"""Uploads pass a malware scanner before they are kept (ASVS 12.4.2), when
[media] names one (storage/scan/choose.py).

The scan starts only once the upload is complete: the bytes stream to the
blob store (or, for images, into memory) first, and are then read back to
the scanner (which spools or reads them itself: nothing extra is held in
chatd's memory). So a client that sends its body slowly holds no scan slot
while it does; only the scan itself does. The verdict comes before the
upload is recorded: "infected" answers 422 attachment_rejected, anything else (a
crash, an odd exit status, a stall past media.scan_timeout_seconds, no
scanner at all) 503 scanner_unavailable; either way the caller removes the
bytes and records nothing. At most media.scan_concurrency scans run at once
in a process; a complete upload waits for a free one up to the same timeout.

End-to-end encrypted uploads are scanned too (so a client cannot skip the
scan by calling plain bytes encrypted), but their real ciphertext tells a
scanner nothing: their content cannot be checked on the server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from chatd.config import Config
from chatd.errors import ChatError
from chatd.storage.ports.scanner import Scanner, ScannerDown, Verdict

log = logging.getLogger("chatd.media")
RETRY_AFTER = "30"


class AttachmentRejected(ChatError):
    status, code, title = 422, "attachment_rejected", "Upload rejected"


class ScannerUnavailable(ChatError):
    status, code, title = 503, "scanner_unavailable", "Scanner unavailable"


def unavailable() -> ScannerUnavailable:
    return ScannerUnavailable("Uploads are checked for malware, and the scanner is not answering right now; "
                              "nothing was stored. Try again shortly.", headers={"Retry-After": RETRY_AFTER})


class Screen:
    def __init__(self, config: Config, scanner: Scanner | None):
        self.scanner = scanner
        self.timeout = config.media.scan_timeout_seconds
        self.slots = asyncio.Semaphore(config.media.scan_concurrency)

    @property
    def on(self) -> bool:
        return self.scanner is not None

    async def check(self, chunks: Callable[[], Awaitable[AsyncIterator[bytes]]], user_id: str, what: str,
                    sha256: str, size: int) -> None:
        """Scan a complete upload (`chunks()` opens its bytes, once a slot is
        free); raise unless the scanner calls it clean. Nothing when no
        scanner is configured."""
        if self.scanner is None:
            return
        async with self._slot():
            verdict = await self._scan(self.scanner, await chunks())
        if verdict.outcome == "clean":
            return
        if verdict.outcome == "infected":
            # Ids, hash and the scanner's words only (never the file's name): an
            # admin can find the file's twin elsewhere by its sha256.
            log.warning("media: the scanner refused an upload: user %s, %s, sha256 %s, %d bytes, found %s",
                        user_id, what, sha256, size, verdict.finding or "?")
            raise AttachmentRejected("The malware scanner flagged this file; it was not stored.")
        log.error("media: the scanner (%s) failed on an upload: user %s, %s, sha256 %s: %s",
                  self.scanner.description, user_id, what, sha256, verdict.finding or "?")
        raise unavailable()

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self.timeout):
                await self.slots.acquire()
        except TimeoutError:
            log.error("media: every scan slot stayed busy for %.0f s; upload refused", self.timeout)
            raise unavailable() from None
        try:
            yield
        finally:
            self.slots.release()

    async def _scan(self, scanner: Scanner, chunks: AsyncIterator[bytes]) -> Verdict:
        try:
            async with asyncio.timeout(self.timeout):
                session = await scanner.begin()
        except (ScannerDown, TimeoutError) as err:
            log.error("media: the scanner (%s) cannot start a scan: %s", scanner.description, err or "timed out")
            raise unavailable() from None
        try:
            async for chunk in chunks:
                if chunk:
                    try:
                        async with asyncio.timeout(self.timeout):
                            await session.feed(chunk)
                    except TimeoutError:
                        log.error("media: the scanner (%s) read nothing for %.0f s; upload refused",
                                  scanner.description, self.timeout)
                        raise unavailable() from None
            try:
                async with asyncio.timeout(self.timeout):
                    return await session.verdict()
            except TimeoutError:
                return Verdict("failed", f"no verdict within {self.timeout:.0f} s")
        finally:
            await session.abort()
