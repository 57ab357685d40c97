"""`chatd bench --profile`: py-spy samples the server during each scenario's
measured window (not its setup), and one readable summary is written at the
end (chatd/bench/profile_summary.py).

py-spy (pip: `chatd[bench]`) attaches to the running server from outside,
so the server runs unchanged: no profiler hook in its own code, no extra
import on the serve path. Samples of idle threads (waiting in epoll, in a
lock or a syscall such as fsync) are left out, so samples ~ CPU time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

RATE = 200  # samples per second per thread
TICKS = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """{thread id: (name, user+system CPU seconds)} of the process, from
    /proc/PID/task: py-spy's own idle detection counts threads blocked in
    fsync or a lock as busy, so the summary weighs samples by these."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        out[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
    return out


def py_spy() -> str | None:
    """The py-spy executable: beside this Python (a venv) or on PATH."""
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


@dataclass
class Window:
    """One profiled window: the scenario sets `operations` (sends, pages)
    and `what` so the summary can say what each step costs per operation."""

    label: str
    raw: Path
    what: str = "operation"
    operations: int = 0
    seconds: float = 0.0
    server_cpu_s: float | None = None
    thread_cpu_s: dict[int, tuple[str, float]] | None = None  # per thread over the window


class Profiler:
    def __init__(self, pid: int, out_dir: Path, rate: int = RATE):
        exe = py_spy()
        if exe is None:
            raise RuntimeError("--profile needs py-spy: pip install 'chatd[bench]' (or py-spy)")
        self.exe, self.pid, self.out_dir, self.rate = exe, pid, out_dir, rate
        self.windows: list[Window] = []
        out_dir.mkdir(parents=True, exist_ok=True)

    @contextlib.asynccontextmanager
    async def window(self, label: str, cpu: Callable[[], float | None]) -> AsyncIterator[Window]:
        win = Window(label, self.out_dir / f"{label}-{len(self.windows)}.pyspy.txt")
        proc = await asyncio.create_subprocess_exec(
            self.exe, "record", "--pid", str(self.pid), "--rate", str(self.rate), "--format", "raw",
            "--threads", "--output", str(win.raw),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        await asyncio.sleep(0.2)  # attached by then (it reads the interpreter's state once)
        cpu0, threads0, began = cpu(), thread_cpu(self.pid), time.perf_counter()
        try:
            yield win
        finally:
            cpu1, threads1 = cpu(), thread_cpu(self.pid)
            win.thread_cpu_s = {tid: (name, seconds - threads0.get(tid, ("", 0.0))[1])
                                for tid, (name, seconds) in threads1.items()}
            win.seconds = time.perf_counter() - began
            win.server_cpu_s = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
            try:
                _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
            except asyncio.TimeoutError:
                proc.kill()
                err = b"py-spy did not stop"
            if not win.raw.exists():
                raise RuntimeError(f"py-spy wrote no profile: {err.decode(errors='replace')[-300:]}")
            self.windows.append(win)


class NoProfiler:
    """What a probe holds without --profile: the window is a no-op."""

    @contextlib.asynccontextmanager
    async def window(self, label: str, cpu: object) -> AsyncIterator[Window]:
        yield Window(label, Path("/dev/null"))
