"""A scanner command in clamdscan's convention: the upload on its stdin,
exit 0 clean, 1 infected, anything else failed.

It runs without a shell (the config's words split like a shell would) in a
session of its own, so a timeout kills it with everything it started. Its
output (stdout and stderr) is kept up to OUTPUT_MAX for the log line.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import subprocess

from chatd.storage.ports.scanner import ScannerDown, Verdict
from chatd.storage.scan.findings import safe_finding

OUTPUT_MAX = 4096


class CommandScanner:
    def __init__(self, command: str):
        self.argv = shlex.split(command)
        self.description = f"command {self.argv[0]}" if self.argv else "command (empty)"

    async def begin(self) -> CommandScan:
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True)
        except OSError as err:
            raise ScannerDown(f"cannot run {self.argv[0]}: {err.strerror or err}") from None
        return CommandScan(proc)


class CommandScan:
    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.stopped_reading = False
        self._output = asyncio.ensure_future(self._read_output())

    async def feed(self, chunk: bytes) -> None:
        if self.stopped_reading:
            return
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            stdin.write(chunk)
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            self.stopped_reading = True

    async def verdict(self) -> Verdict:
        stdin = self.proc.stdin
        assert stdin is not None
        if not self.stopped_reading:
            stdin.close()
            try:
                await stdin.wait_closed()
            except (BrokenPipeError, ConnectionResetError):
                self.stopped_reading = True
        output = await self._output
        code = await self.proc.wait()
        finding = _finding(output)
        if code == 1:
            return Verdict("infected", finding)
        if code == 0 and not self.stopped_reading:
            return Verdict("clean", finding)
        why = "it stopped reading before the end" if code == 0 else (
            f"killed by signal {-code}" if code < 0 else f"exit status {code}")
        return Verdict("failed", safe_finding(f"{why}: {finding}" if finding else why))

    async def abort(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group: children that hold its pipes too
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self._output.cancel()
        await self.proc.wait()

    async def _read_output(self) -> bytes:
        stdout = self.proc.stdout
        assert stdout is not None
        kept = b""
        while chunk := await stdout.read(65536):
            if len(kept) < OUTPUT_MAX:
                kept += chunk[: OUTPUT_MAX - len(kept)]
        return kept


def _finding(output: bytes) -> str:
    lines = [line for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    found = [line.rstrip().removesuffix("FOUND").rstrip() for line in lines if line.rstrip().endswith(" FOUND")]
    if found:  # "stream: NAME FOUND" -> NAME
        return safe_finding(found[-1].rpartition(": ")[2])
    return safe_finding((lines or [""])[-1])
