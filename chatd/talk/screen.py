"""The terminal side of `chatd talk`: lines out, lines (and keystrokes) in.

On a terminal the input line stays at the bottom: what arrives is printed
above it and the line is drawn again, with who is typing in front of the
prompt. Keystrokes are read one by one (cbreak mode) so that typing can be
announced before Enter. With a pipe (scripts, tests) everything is plain
lines and typing is shown as a line of its own.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import sys
import termios
import tty
from collections.abc import Callable
from typing import TextIO

PROMPT = "> "
ERASE = "\r\x1b[K"  # to the line's start, then clear it


class Screen:
    def __init__(self, on_line: Callable[[str | None], None], on_key: Callable[[], None],
                 stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout):
        self.on_line, self.on_key = on_line, on_key
        self.fd, self.out = stdin.fileno(), stdout
        self.tty = os.isatty(self.fd) and stdout.isatty()
        self.buffer, self.typing, self._escape = "", "", False
        self.mask = False  # a passphrase is being typed: drawn as stars
        self._pending = b""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._saved: list | None = None

    def start(self) -> None:
        if self.tty:
            self._saved = termios.tcgetattr(self.fd)
            # No echo, no line editing; Ctrl-C still works. TCSANOW, not the
            # default TCSAFLUSH: what was typed while history loaded is kept.
            tty.setcbreak(self.fd, termios.TCSANOW)
        asyncio.get_running_loop().add_reader(self.fd, self._readable)
        self._draw()

    def stop(self) -> None:
        asyncio.get_running_loop().remove_reader(self.fd)
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None
            self.out.write(ERASE)
            self.out.flush()

    def show(self, text: str) -> None:
        """A line above the input line."""
        self.out.write((ERASE if self.tty else "") + text + "\n")
        self._draw()

    def set_typing(self, text: str) -> None:
        if self.tty:
            self.typing = text
            self._draw()
        elif text:
            self.show(f"* {text}")

    def _draw(self) -> None:
        if self.tty:
            shown = "*" * len(self.buffer) if self.mask else self.buffer
            self.out.write(ERASE + (f"({self.typing}) " if self.typing else "") + PROMPT + shown)
        self.out.flush()

    def _readable(self) -> None:
        data = os.read(self.fd, 4096)
        if not self.tty:
            self._lines(data)
        elif not data:
            self.on_line(None)
        else:
            for ch in self._decoder.decode(data):
                self._key(ch)

    def _lines(self, data: bytes) -> None:
        if not data:  # end of input
            if self._pending:
                self.on_line(self._pending.decode("utf-8", "replace"))
            self.on_line(None)
            return
        *lines, self._pending = (self._pending + data).split(b"\n")
        for line in lines:
            self.on_line(line.decode("utf-8", "replace").rstrip("\r"))

    def _key(self, ch: str) -> None:
        if self._escape:  # the rest of an arrow key's sequence: ignored
            self._escape = not (ch.isalpha() or ch == "~")
        elif ch == "\x1b":
            self._escape = True
        elif ch in "\r\n":
            line, self.buffer = self.buffer, ""
            self.out.write(ERASE)
            self._draw()
            self.on_line(line)
        elif ch in "\x7f\b":
            self.buffer = self.buffer[:-1]
            self._draw()
        elif ch == "\x15":  # Ctrl-U
            self.buffer = ""
            self._draw()
        elif ch == "\x04" and not self.buffer:  # Ctrl-D on an empty line
            self.on_line(None)
        elif ch.isprintable():
            self.buffer += ch
            self._draw()
            self.on_key()
