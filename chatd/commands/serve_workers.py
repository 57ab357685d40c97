"""`chatd serve --workers N` (or server.workers = N): granian's supervisor
with N worker processes on one port, each a whole chatd (its own runtime,
hub and sockets) sharing the deployment's stores.

Only with storage.cache = "redis://...": presence, rate limits and the
fan-out of events must be shared, or users on different workers would not
see each other live (storage/build.py refuses it otherwise). The parent
starts the runtime once before forking, so a bad database or an
unreachable Redis ends with one line instead of N crashing workers.
"""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path
from typing import Any

import msgspec

from chatd.config import Config

ENV = "CHATD_SERVE_CONFIG"  # the parsed config, handed to the workers as JSON
FILES_ENV = "CHATD_SERVE_SECRET_FILES"  # and which of its secrets came from which file


async def _check(cfg: Config) -> None:
    from chatd.runtime import start_runtime

    runtime = await start_runtime(cfg)  # migrations, database, Redis: the one-line errors
    await runtime.close()


def run(cfg: Config, host: str, port: int, workers: int) -> int:
    from granian import Granian
    from granian.constants import Interfaces

    asyncio.run(_check(cfg))
    os.environ[ENV] = msgspec.json.encode(cfg).decode()
    # Which secrets came from files: the workers read those files again when
    # they reconnect (live_secret.py), as the parent would.
    os.environ[FILES_ENV] = msgspec.json.encode({k: str(v) for k, v in getattr(cfg, "secret_files", {}).items()}).decode()
    Granian(
        "chatd.commands.serve_workers:app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        websockets=True,
        log_access=False,
        respawn_failed_workers=True,
        workers_kill_timeout=10,
    ).serve()
    return 0


def app() -> Any:
    """The factory each worker calls: the app starts its runtime in its lifespan."""
    import chatd.commands.serve  # noqa: F401 - hides pydantic from Litestar in this process too
    from chatd.app import create_app

    cfg = msgspec.json.decode(os.environ[ENV], type=Config)
    cfg.secret_files = {k: Path(v) for k, v in msgspec.json.decode(os.environ.get(FILES_ENV, "{}")).items()}
    # Forked workers inherit the supervisor's flag; spawned ones (Python 3.14's
    # default, macOS) were exec'd, which makes a process dumpable again.
    if not cfg.server.memory_dumps:
        from chatd.commands.serve_nodump import forbid_memory_dumps

        forbid_memory_dumps()
    application = create_app(cfg)
    gc.collect()
    gc.freeze()  # as in the one-process server: long-lived objects out of the collector's sight
    gc.set_threshold(10_000, 20, 20)
    return application
