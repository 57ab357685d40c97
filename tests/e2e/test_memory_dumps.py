"""A served chatd keeps its memory out of dumps (ASVS 8.3.6, serve_nodump.py):
no core file, and not "dumpable", so another process of the same user can
neither read /proc/PID/mem nor attach a debugger. server.memory_dumps =
true (debugging) leaves both as the system has them. (Several workers:
tests/scale/test_workers.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.dumpable import GROUP, dumpable


def core_limit(pid: int) -> str:
    line = next(x for x in Path(f"/proc/{pid}/limits").read_text().splitlines() if x.startswith("Max core file size"))
    return " ".join(line.split()[4:6])


@pytest.mark.parametrize("memory_dumps", [False, True])
async def test_a_served_chatd_is_dumpable_only_when_configured(tmp_path, memory_dumps):
    server = ServerProcess(tmp_path, config={"server": {"memory_dumps": memory_dumps}}, env=BENCH_ENV, group=GROUP)
    await server.start()
    try:
        assert dumpable(server.pid) is memory_dumps, server.log_tail()
        if not memory_dumps:
            assert core_limit(server.pid) == "0 0"
    finally:
        assert server.stop() == 0, server.log_tail()
