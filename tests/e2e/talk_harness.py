"""Helpers for driving `chatd talk` as a person would: in a real
pseudo-terminal or through pipes, and behind a network that can be cut."""

from __future__ import annotations

import asyncio
import os
import pty
import subprocess
import sys
import tempfile

PASSWORD = "correct horse battery"


class Terminal:
    """`chatd talk ...` as a child process; everything it prints is kept.
    tty=True: in a pseudo-terminal (keystrokes, cbreak mode), else pipes."""

    def __init__(self, *args: str, tty: bool, password: str = PASSWORD, env: dict[str, str] | None = None):
        self.output, self.tty = b"", tty
        # Each terminal is its own device: its E2EE keys go to a fresh folder
        # (never the tester's ~/.config) unless the test names one.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "CHATD_CONFIG_DIR": tempfile.mkdtemp(prefix="talk-keys-"),
               **(env or {})}
        cmd = [sys.executable, "-m", "chatd", "talk", *args]
        if tty:
            self.fd, slave = pty.openpty()
            self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
            os.close(slave)
            os.set_blocking(self.fd, False)
        else:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, env=env)
            self.fd = self.proc.stdout.fileno()
            os.set_blocking(self.fd, False)
        self.type(password + "\n")  # --password-stdin reads it even from a terminal

    def type(self, text: str) -> None:
        data = text.encode()
        if self.tty:
            os.write(self.fd, data)
        else:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def end_input(self) -> None:
        if self.tty:
            os.write(self.fd, b"\x04")  # Ctrl-D
        else:
            self.proc.stdin.close()

    def _read(self) -> None:
        try:
            chunk = os.read(self.fd, 65536)
        except (BlockingIOError, OSError):  # OSError: the pty's child is gone
            return
        self.output += chunk

    @property
    def text(self) -> str:
        self._read()
        return self.output.decode("utf-8", "replace")

    async def expect(self, needle: str, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + timeout
        while needle not in self.text:
            if loop.time() > until:
                raise AssertionError(f"{needle!r} not shown; the terminal shows:\n{self.text[-3000:]}")
            await asyncio.sleep(0.05)

    async def exit_code(self, timeout: float = 10.0) -> int:
        for _ in range(int(timeout / 0.05)):
            if self.proc.poll() is not None:
                self._read()
                return self.proc.returncode
            self._read()
            await asyncio.sleep(0.05)
        self.proc.kill()
        raise AssertionError(f"still running; the terminal shows:\n{self.text[-3000:]}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.tty:
            os.close(self.fd)


class Network:
    """A TCP relay to the server that can be cut: `down()` resets every
    connection through it and refuses new ones (reset at once) until `up()`."""

    def __init__(self, target_port: int):
        self.target_port, self.is_up = target_port, True
        self._links: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    def down(self) -> None:
        self.is_up = False
        for writer in list(self._links):
            writer.transport.abort()

    def up(self) -> None:
        self.is_up = True

    async def close(self) -> None:
        self.down()
        if self._server is not None:
            self._server.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.is_up:
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._links |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._links -= {writer, up_writer}
            for w in (writer, up_writer):
                w.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()  # a cut on one side cuts the other
