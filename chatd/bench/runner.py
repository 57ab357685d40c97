"""Runs the benchmark: the server (started here or given by --url), the users,
the chosen scenarios, then the report. Every phase is bounded in time."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import resource
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from chatd.bench import after_login, fanout, graphql_list, history, hot, idle, media, rest_send, slow_disk, soak, throughput
from chatd.bench.machine import describe
from chatd.bench.population import Population
from chatd.bench.probe import Probe
from chatd.bench.profile_summary import write_summary
from chatd.bench.profiler import Profiler
from chatd.bench.report import evaluate, render
from chatd.bench.deployment import Deployment
from chatd.bench.server import ServerProcess

SCENARIO_LIMIT = 600  # seconds; every scenario also bounds each of its own waits
SOAK_SETUP = 120  # seconds for the soak's users, sockets and drain, beyond its own duration


def raise_nofile() -> int:
    """Thousands of sockets need thousands of descriptors (the server we
    start inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Progress:
    def __init__(self, quiet: bool):
        self.quiet, self.began = quiet, time.perf_counter()

    def __call__(self, text: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.began:6.1f}s] {text}", file=sys.stderr, flush=True)


async def bench(args: argparse.Namespace, say: Progress) -> dict[str, Any]:
    out: dict[str, Any] = {"machine": describe(), "command": " ".join(["chatd", *sys.argv[1:]])}
    out["params"] = {k: v for k, v in vars(args).items() if k not in ("func", "command")}
    out["server"] = {}
    server: ServerProcess | None = None
    first_account: str | None = None  # the started server's admin, made for the after-login RSS
    deployment = Deployment(args)
    try:
        if args.url:
            url, probe = args.url.rstrip("/"), Probe(args.pid)
            out["server"].update(url=url, pid=args.pid)
        else:
            server = deployment.server(0)
            url, probe, first_account = await _start(server, out["server"], args, say)
            await deployment.start_others(out["server"], say)
        if args.profile:
            probe.profiler = _profiler(args, probe.pid)
        await _scenarios(args, url, probe, out, say, deployment.urls() or None, first_account)
        if isinstance(probe.profiler, Profiler):
            out["profile"] = _write_profile(probe.profiler)
        if server is not None:
            out["server"]["rss_end_bytes"] = probe.rss()
            out["server"]["cpu_total_s"] = probe.cpu()
    finally:
        if server is not None:
            began = time.perf_counter()
            out["server"]["exit_code"] = server.stop()
            out["server"]["stop_s"] = round(time.perf_counter() - began, 2)
        deployment.stop(keep=args.keep, info=out["server"])
    out["targets"] = evaluate(out)
    return out


def _profiler(args: argparse.Namespace, pid: int | None) -> Profiler:
    if pid is None:
        raise RuntimeError("--profile needs the server's pid: with --url, give --pid")
    return Profiler(pid, Path(args.profile_dir or tempfile.mkdtemp(prefix="chatd-profile-")))


def _write_profile(profiler: Profiler) -> dict[str, Any]:
    path = write_summary(profiler.windows, profiler.rate, profiler.out_dir / "profile-summary.txt")
    return {"summary": str(path), "raw": [str(w.raw) for w in profiler.windows]}


async def _start(server: ServerProcess, info: dict[str, Any], args: argparse.Namespace,
                 say: Progress) -> tuple[str, Probe, str]:
    """Start once on an empty data dir (migrations included), then again on
    the migrated data (the usual restart): both times are reported."""
    say("starting the server on an empty data directory")
    fresh = await server.start()
    fresh_cpu = server.ready_cpu_seconds
    username = await after_login.make_account(server.url)
    server.stop()
    say("restarting it on the migrated data")
    restart = await server.start()
    probe = Probe(server.pid)
    await asyncio.sleep(1.0)
    info.update(ready_fresh_cpu_s=fresh_cpu, ready_restart_cpu_s=server.ready_cpu_seconds)
    info.update(url=server.url, pid=server.pid, ready_fresh_s=round(fresh, 3), ready_restart_s=round(restart, 3),
                rss_idle_bytes=probe.rss(), rss_idle_anon_bytes=probe.rss_anon(), database=args.database or "sqlite (temporary directory)",
                messages=args.messages or "database")
    await after_login.login_and_browse(server.url, username)
    await asyncio.sleep(1.0)
    info.update(rss_after_login_bytes=probe.rss(), rss_after_login_anon_bytes=probe.rss_anon())
    return server.url, probe, username


async def _scenarios(args: argparse.Namespace, url: str, probe: Probe, out: dict[str, Any], say: Progress,
                     urls: list[str] | None = None, first_account: str | None = None) -> None:
    population = Population(url)
    if first_account is not None:  # the first account (the admin) joins the bench's users
        await population.adopt(first_account, after_login.PASSWORD)
    runs = {
        "throughput": lambda: throughput.run(population, args, probe, urls),
        "fanout": lambda: fanout.run(population, args, probe),
        # Idle sockets belong to users of their own (after everyone else's).
        "idle": lambda: idle.run(population, args, probe, first_user=_busy_users(args)),
        "history": lambda: history.run(population, args, probe),
        "media": lambda: media.run(population, args, probe),
        "graphql": lambda: graphql_list.run(population, args, probe),
        "soak": lambda: soak.run(population, args, probe),
        "rest": lambda: rest_send.run(population, args, probe),
        "hot": lambda: hot.run(population, args, probe),
        # A server of its own, started with the fsync-delay shim preloaded.
        "slowdisk": lambda: slow_disk.run(args),
    }
    try:
        for name in args.scenarios:
            say(f"scenario {name}")
            began = time.perf_counter()
            try:
                limit = SCENARIO_LIMIT if name != "soak" else args.warmup + args.soak_duration + SOAK_SETUP
                out[name] = await asyncio.wait_for(runs[name](), timeout=limit)
            except Exception as err:  # noqa: BLE001 - reported; the other scenarios still run
                out[name] = {"error": f"{type(err).__name__}: {err}"}
            out[name]["wall_s"] = round(time.perf_counter() - began, 1)
            say(f"scenario {name} done in {out[name]['wall_s']} s")
    finally:
        out["users_created"] = len(population.bots)
        out["users_register_s"] = round(population.register_seconds, 2)
        await population.aclose()


def _busy_users(args: argparse.Namespace) -> int:
    busy = [0]
    if "throughput" in args.scenarios:
        busy.append(args.clients)
    if "fanout" in args.scenarios:
        busy.append(args.group_size)
    if "soak" in args.scenarios:
        busy.append(args.soak_clients)
    if "hot" in args.scenarios:
        busy.append(args.hot_senders)
    return max(busy)


def main(args: argparse.Namespace) -> int:
    if args.url and not loopback(args.url):
        print("chatd bench: --url must be a loopback address (127.0.0.1, ::1, localhost)", file=sys.stderr)
        return 2
    raise_nofile()
    say = Progress(args.quiet)
    try:
        import uvloop
    except ImportError:  # uvloop is optional; the generator is then slower
        runner: Any = asyncio.run
    else:
        runner = uvloop.run
    try:
        results = runner(bench(args, say))
    except RuntimeError as err:  # the server did not start: its log says why
        print(f"chatd bench: {err}", file=sys.stderr)
        return 1
    print(render(results))
    if "profile" in results:
        print(f"profile summary: {results['profile']['summary']}")
    if args.json:
        text = msgspec.json.format(msgspec.json.encode(results), indent=2).decode()
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    failed = [name for name in args.scenarios if "error" in results.get(name, {})]
    return 1 if failed else 0
