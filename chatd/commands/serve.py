"""`chatd serve`: one process, granian's embedded server, uvloop when present
(several worker processes: serve_workers.py).

The embedded server keeps everything in this process: no supervisor process
beside the worker, which saves ~27 MB of RSS on a Raspberry Pi.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from typing import Any

from chatd import logs
from chatd.commands import serve_lazy
from chatd.commands.serve_malloc import prefer_system_malloc
from chatd.commands.serve_memory import MemoryReturner
from chatd.config import Config

log = logging.getLogger("chatd")

# granian allocates through its own jemalloc, which keeps freed pages for
# reuse and gives them back only while it is busy: after 5,000 sockets had
# closed, an idle server kept ~370 MB it no longer used. A background thread
# gives them back within a second or two. One arena instead of one per CPU
# times four: 0.3 MB less at idle, no change at 3,000 msg/s. Set before
# granian is imported (its jemalloc reads this once); an admin's own wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:1")

# chatd has no pydantic models, but piccolo depends on pydantic, and Litestar
# loads its pydantic plugins whenever pydantic is importable: +9 MB of RSS,
# a fifth of the Pi budget. Hide it from this server process (migrations do
# not need it; the test suite runs `chatd serve` this way too).
if "pydantic" not in sys.modules:
    sys.modules["pydantic"] = None  # type: ignore[assignment]
# PyYAML and pdb: loaded on first use only (serve_lazy.py).
serve_lazy.defer()


async def _serve(cfg: Config, host: str, port: int) -> None:
    from granian.constants import Interfaces
    from granian.server.embed import Server

    from chatd.app import create_app
    from chatd.runtime import start_runtime

    # Started before the port opens: a bad database URL or a newer schema
    # ends here with one line, not inside granian's worker.
    runtime = await start_runtime(cfg)
    app = create_app(cfg, runtime)
    # Everything loaded so far (modules, the app, the routes) lives as long as
    # the process: move it out of the cyclic collector's sight, so a full
    # collection under load walks only what requests made (a 14-22 ms pause,
    # straight into the latency p99, before this). No collection first: it
    # walked all ~95,000 objects (50-75 ms of CPU before the port opened) to
    # find ~630 garbage ones (~0.1 MB: classes and functions that imports
    # made and dropped), which now stay, frozen.
    gc.freeze()
    # Young collections every 700 allocations took ~6% of the event loop
    # under load; most request objects die before 10,000 and cost nothing.
    gc.set_threshold(10_000, 20, 20)
    gc.enable()  # off since run() began
    memory = MemoryReturner()
    memory.start()
    server = Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        websockets=True,
        log_access=False,
        log_dictconfig=logs.granian_config(),
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: loop.create_task(_stop(app, server)))
    # `systemctl reload chatd` (kill -HUP): store connections are replaced, so
    # they log in again with the secret files as they are now (live_secret.py).
    loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(runtime.stores.refresh()))
    if os.environ.get("CHATD_TRACEMALLOC_DUMP"):  # debug only: loads tracemalloc
        from chatd.commands import serve_trace

        serve_trace.install(loop)
    await server.serve()


async def _stop(app: Any, server: Any) -> None:
    # granian drops open WebSockets without a close frame (1006) when it
    # stops, so close them first with 1012 "service restart": clients then
    # know to reconnect and resume.
    from chatd.realtime.core import close_app_sockets

    await close_app_sockets(app)
    server.stop()


def run(cfg: Config, host: str | None = None, port: int | None = None, workers: int | None = None) -> int:
    # Returns only once PYTHONMALLOC is set (serve_malloc.py); the command
    # line has normally done it already, before loading anything.
    prefer_system_malloc()
    # No cyclic collection while the modules and the app are built: what they
    # make lives as long as the process, and the collections walked it again
    # and again (~20 ms of the start); _serve collects once, then freezes.
    gc.disable()
    from chatd.storage.build import refuse_unshared
    from chatd.services.privacy_notice import load_notice
    from chatd.storage.scan.choose import open_scanner
    from chatd.storage.tls_policy import refuse_unverified

    workers = workers or cfg.server.workers
    refuse_unshared(cfg, workers)  # before anything starts: one line saying why and what to set
    refuse_unverified(cfg)  # a store on another host without verified TLS, under storage.require_tls
    open_scanner(cfg)  # likewise a media.scan_command that is not installed
    load_notice(cfg)  # and a server.privacy_notice_file that cannot be read
    logs.configure()
    from chatd.commands.serve_privileges import warn_if_root

    warn_if_root()
    if not cfg.server.memory_dumps:
        from chatd.commands.serve_nodump import forbid_memory_dumps

        forbid_memory_dumps()
    bind_host, bind_port = host or cfg.server.host, port or cfg.server.port
    if workers > 1:
        gc.enable()  # the supervisor runs on; each worker freezes its own app
        from chatd.commands import serve_workers

        try:
            return serve_workers.run(cfg, bind_host, bind_port, workers)
        except (OSError, ConnectionError) as err:
            print(f"chatd: cannot start: {err}", file=sys.stderr)
            return 1
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # uvloop is optional (e.g. Windows); asyncio works, slower.
        runner = asyncio.run
    try:
        runner(_serve(cfg, bind_host, bind_port))
    except (OSError, ConnectionError) as err:
        print(f"chatd: cannot start: {err}", file=sys.stderr)
        return 1
    return 0
