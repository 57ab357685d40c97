"""A slow disk: fsync/fdatasync delayed by --fsync-delay-ms (3) in the server
process only (an LD_PRELOAD shim, chatd/bench/fsync_shim.c, built here with
the system cc into a temporary directory), to show that group commit keeps
throughput where one commit per request would collapse (an SD card's fsync
is 1-5 ms; this disk's is ~0.2 ms).

A server of its own (SQLite, temporary directory) takes three phases of
--slow-duration seconds in all (interleaved in rounds of 1 s) of durable
REST sends into one conversation:
  fast disk,   --hot-senders (16) in flight: the baseline;
  slow disk,   16 in flight: group commit (many sends per WAL fsync);
  slow disk,   1 in flight: one commit per send, what per-request commits give.
Commits are counted by the shim: one fsync of the "-wal" file per commit
(checkpoints add a few), so messages per WAL sync is the group size.
"""

from __future__ import annotations

import mmap
import shutil
import struct
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from chatd.bench.population import Population
from chatd.bench.probe import Probe
from chatd.bench.rest_load import LoadResult, send_load
from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess

SLOTS = ("delay_us", "fsync", "fdatasync", "wal_syncs", "slept_us")
WARMUP = 0.3  # seconds of each round before it is measured
ROUND = 1.0  # measured seconds of one phase in one round


def build_shim(into: Path) -> Path | str:
    """The shared object, or why it cannot be built."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return "no C compiler (cc) on PATH to build the fsync-delay shim"
    source = into / "fsync_shim.c"
    source.write_text(resources.files("chatd.bench").joinpath("fsync_shim.c").read_text(), encoding="utf-8")
    out = into / "fsync_shim.so"
    done = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(out), str(source), "-ldl"],
                          capture_output=True, text=True)
    return out if done.returncode == 0 else f"cc failed: {done.stderr.strip()[-300:]}"


class Shim:
    """The control file the shim maps: set the delay, read the counters."""

    def __init__(self, path: Path):
        path.write_bytes(bytes(8 * len(SLOTS)))
        self._file = path.open("r+b")
        self._map = mmap.mmap(self._file.fileno(), 8 * len(SLOTS))

    def set_delay_ms(self, ms: float) -> None:
        struct.pack_into("<q", self._map, 0, int(ms * 1000))

    def counts(self) -> dict[str, int]:
        return dict(zip(SLOTS, struct.unpack_from(f"<{len(SLOTS)}q", self._map, 0)))

    def close(self) -> None:
        self._map.close()
        self._file.close()


PHASES = ("fast_group", "slow_group", "slow_one")


async def _phases(shim: Shim, url: str, bots: list[Any], chat: str, args: Any, probe: Probe) -> dict[str, Any]:
    """The three phases interleaved in rounds of ROUND seconds, so a busy
    neighbour on the machine weighs on all three alike. The shim's counts
    cover each round whole (warm-up included), as do the sends they are
    divided into."""
    delay = args.fsync_delay_ms
    setups = {"fast_group": (0.0, args.hot_senders), "slow_group": (delay, args.hot_senders), "slow_one": (delay, 1)}
    loads: dict[str, LoadResult] = {}
    synced = {name: dict.fromkeys(SLOTS[1:], 0) for name in PHASES}
    rounds = max(1, round(args.slow_duration / ROUND))
    for _ in range(rounds):
        for name in PHASES:
            delay_ms, in_flight = setups[name]
            shim.set_delay_ms(delay_ms)
            before = shim.counts()
            load = await send_load(url, bots, chat, in_flight=in_flight, warmup=WARMUP,
                                   duration=args.slow_duration / rounds, probe=probe)
            after = shim.counts()
            for key in SLOTS[1:]:
                synced[name][key] += after[key] - before[key]
            if name in loads:
                loads[name].add(load)
            else:
                loads[name] = load
    shim.set_delay_ms(0)
    out = {}
    for name in PHASES:
        acked, wal = len(loads[name].acked), synced[name]["wal_syncs"]
        out[name] = {"fsync_delay_ms": setups[name][0], **loads[name].summary(), "shim": synced[name],
                     "acked_in_phase": acked, "messages_per_wal_sync": round(acked / wal, 2) if wal else None}
    return out


async def run(args: Any) -> dict[str, Any]:
    if args.url:
        return {"not_run": "needs a server started by the bench (LD_PRELOAD is set when it starts): drop --url"}
    if args.database or args.messages:
        return {"not_run": "the shim slows the chatd process's own fsyncs: SQLite only (no --database/--messages)"}
    work = Path(tempfile.mkdtemp(prefix="chatd-slowdisk-"))
    try:
        shim_so = build_shim(work)
        if isinstance(shim_so, str):
            return {"not_run": shim_so}
        shim = Shim(work / "fsync.ctl")
        server = ServerProcess(work / "data", config=BENCH_CONFIG,
                               env={**BENCH_ENV, "LD_PRELOAD": str(shim_so), "CHATD_BENCH_FSYNC_CTL": str(work / "fsync.ctl")})
        await server.start()
        population = Population(server.url)
        try:
            bots = await population.ensure(args.hot_senders)
            chat = await population.group(bots[0], bots[1:], "slow disk")
            if not shim.counts()["wal_syncs"]:
                raise RuntimeError("the shim saw no fsync of the WAL while users and the group were created: not interposed")
            phases = await _phases(shim, server.url, bots, chat, args, Probe(server.pid))
        finally:
            await population.aclose()
            exit_code = server.stop()
            shim.close()
        fast, slow, one = (phases[k]["acked_per_s"] for k in PHASES)
        return {
            "fsync_delay_ms": args.fsync_delay_ms,
            "senders": args.hot_senders,
            "duration_s": args.slow_duration,
            **phases,
            "kept": round(slow / fast, 3) if fast else None,
            "group_over_one_per_send": round(slow / one, 2) if one else None,
            "per_request_ceiling_per_s": round(1000 / args.fsync_delay_ms, 1) if args.fsync_delay_ms else None,
            "server_exit_code": exit_code,
        }
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
