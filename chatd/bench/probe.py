"""The server process as the benchmark sees it: RSS and CPU when its pid is
known (always for a server the bench started; with --url only via --pid)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from chatd.bench import procstat
from chatd.bench.profiler import NoProfiler, Profiler, Window


class Probe:
    def __init__(self, pid: int | None):
        self.pid = pid
        self.profiler: Profiler | NoProfiler = NoProfiler()  # a Profiler with --profile

    def profile(self, label: str) -> contextlib.AbstractAsyncContextManager[Window]:
        """Around a scenario's measured window: sampled with --profile, else nothing."""
        return self.profiler.window(label, self.own_cpu)

    def rss(self) -> int | None:
        return None if self.pid is None else procstat.rss_bytes(self.pid)

    def rss_anon(self) -> int | None:
        """The part of RSS that is the process's own memory (heap, stacks);
        the rest is mapped files (shared libraries), whose resident share
        depends on the kernel's page cache more than on chatd."""
        return None if self.pid is None else procstat.status_bytes(self.pid, "RssAnon")

    def cpu(self) -> float | None:
        return None if self.pid is None else procstat.cpu_seconds(self.pid)

    def own_cpu(self) -> float | None:
        """CPU seconds of the server process alone (no child processes)."""
        return None if self.pid is None else procstat.process_cpu_seconds(self.pid)

    @contextlib.contextmanager
    def peak_rss(self) -> Iterator[procstat.PeakRss]:
        """Highest RSS seen while the block runs (peak 0 without a pid)."""
        if self.pid is None:
            yield procstat.PeakRss(0)
            return
        with procstat.PeakRss(self.pid) as peak:
            yield peak
