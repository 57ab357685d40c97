"""Progress of `chatd migrate-data` on stderr: one redrawn bar on a terminal,
plain lines (at most one every few seconds, and one per collection) in a log."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 30
LOG_EVERY = 5.0


class DataBar:
    def __init__(self, out: TextIO):
        self.out, self.tty = out, out.isatty()
        self.name, self.total, self.done = "", 0, 0
        self.shown = self.started = time.monotonic()

    def start(self, collection: str, total: int, done: int) -> None:
        self.name, self.total, self.done = collection, total, done
        self.started = time.monotonic()
        if done:
            self._line(f"{collection}: resuming after {done:,} rows already copied")
        self._draw(force=True)

    def advance(self, n: int) -> None:
        self.done += n
        self._draw()

    def finish(self) -> None:
        seconds = time.monotonic() - self.started
        if self.tty:
            self.out.write("\r\x1b[K")
        self._line(f"{self.name}: {self.done:,} of {self.total:,} rows copied ({seconds:.1f} s)")

    def verifying(self, collection: str) -> None:
        if self.tty:
            self.out.write(f"\r\x1b[Kverifying {collection} (counts and checksums)...")
            self.out.flush()

    def end_verify(self) -> None:
        if self.tty:
            self.out.write("\r\x1b[K")
            self.out.flush()

    def _line(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            if not force and now - self.shown < 0.1:
                return
            share = min(self.done / self.total, 1.0) if self.total else 1.0
            fill = int(share * WIDTH)
            self.out.write(f"\r\x1b[K{self.name:<16} [{'#' * fill}{'.' * (WIDTH - fill)}] "
                           f"{self.done:,}/{self.total:,}")
            self.out.flush()
        elif not force and now - self.shown >= LOG_EVERY:
            self._line(f"{self.name}: {self.done:,} of {self.total:,} rows")
        else:
            return
        self.shown = now
