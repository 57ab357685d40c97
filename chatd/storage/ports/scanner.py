"""Scanning an upload for malware (ASVS 12.4.2): once the upload is
complete, its bytes are fed to a scanner, and its verdict comes after the
last one.

Adapters (chatd/storage/scan/): a command in clamdscan's convention, or
clamd's INSTREAM socket. Neither keeps the file in chatd's memory: the
scanner reads (or spools) it itself.
"""

from __future__ import annotations

from typing import Literal, Protocol

import msgspec

Outcome = Literal["clean", "infected", "failed"]


class Verdict(msgspec.Struct, frozen=True):
    outcome: Outcome
    # The scanner's own words (what it found, or why it failed), already
    # reduced to safe printable characters for a log line.
    finding: str = ""


class ScannerDown(Exception):
    """The scanner could not be started or reached at all."""


class ScanSession(Protocol):
    async def feed(self, chunk: bytes) -> None:
        """Pass the next bytes on (waits while the scanner is behind). A
        scanner that stopped reading is not an error here: its verdict says."""

    async def verdict(self) -> Verdict:
        """After the last chunk: what the scanner says about all of them."""

    async def abort(self) -> None:
        """Stop the scan (timeouts, a refused upload); safe after verdict()."""


class Scanner(Protocol):
    description: str

    async def begin(self) -> ScanSession:
        """A scan of one upload (raises ScannerDown)."""
