"""A test server process: wait until it answers, stop it afterwards."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def serving(proc: subprocess.Popen, answers: Callable[[], bool], what: str, log: Path,
            startup_seconds: float = 60) -> Iterator[None]:
    """Until `answers()`; a process that exits first or takes too long skips
    (locally) or fails (CI) with the end of its log."""
    from tests.conftest import need_server  # lazily: tests/conftest.py imports the servers

    try:
        deadline = time.monotonic() + startup_seconds
        while not answers():
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
                need_server(what, RuntimeError(f"did not start: {tail}"))
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
