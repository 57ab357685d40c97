"""The servers `chatd bench` starts: one chatd process, or `--processes N`
on one deployment (the given PostgreSQL, --cache or a private Redis), all
in one temporary directory. The first process is the one probed (RSS, CPU)."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from chatd.bench.redis_server import RedisServer
from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess


# A deployed server imports chatd from bytecode: a wheel's is compiled at
# install, a checkout's written on the first start. With
# PYTHONDONTWRITEBYTECODE in the bench's environment (CI, sandboxes), a
# checkout's server compiled chatd's ~235 modules from source on every
# start: ~0.25 s of CPU on the Xeon VM, half of the "ready" budget, which
# no deployment pays. The bench's first start writes them, as a
# deployment's does; the restart, the one judged, reads them.
SERVER_ENV: dict[str, str | None] = {**BENCH_ENV, "PYTHONDONTWRITEBYTECODE": None}


class Deployment:
    def __init__(self, args: argparse.Namespace):
        if args.url is None and args.processes > 1 and not (args.database or "").startswith(("postgresql://",
                                                                                             "postgres://")):
            raise RuntimeError("--processes > 1 needs --database postgresql://... (one database for every process)")
        self.args = args
        self.root = Path(tempfile.mkdtemp(prefix="chatd-bench-")) if not args.url else None
        self.redis: RedisServer | None = None
        self.servers: list[ServerProcess] = []

    def _cache(self) -> str | None:
        if self.args.cache or self.args.processes == 1:
            return self.args.cache
        assert self.root is not None
        self.redis = RedisServer(self.root / "redis")
        self.redis.start()
        return self.redis.url

    def server(self, index: int) -> ServerProcess:
        """The index-th process (made on first ask; the first decides the cache)."""
        assert self.root is not None
        storage: dict[str, Any] = {}
        if self.args.messages:
            storage["messages"] = self.args.messages
        cache = self._cache() if index == 0 else (self.redis.url if self.redis else self.args.cache)
        if cache:
            storage["cache"] = cache
        config: dict[str, dict[str, Any]] = {**BENCH_CONFIG, "storage": storage} if storage else dict(BENCH_CONFIG)
        if self.args.profile:  # py-spy attaches from outside: as the same user, not as root (serve_nodump.py)
            config["server"] = {**config.get("server", {}), "memory_dumps": True}
        server = ServerProcess(self.root / f"p{index}", database=self.args.database, config=config, env=SERVER_ENV)
        self.servers.append(server)
        return server

    async def start_others(self, info: dict[str, Any], say: Any) -> None:
        info["processes"] = self.args.processes
        info["cache"] = "memory" if not (self.redis or self.args.cache) else (
            "redis-server started by the bench" if self.redis else self.args.cache)
        for index in range(1, self.args.processes):
            say(f"starting process {index + 1} of {self.args.processes}")
            await self.server(index).start()

    def urls(self) -> list[str]:
        return [s.url for s in self.servers] if len(self.servers) > 1 else []

    def stop(self, *, keep: bool, info: dict[str, Any]) -> None:
        for server in self.servers[1:]:
            server.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.root is not None:
            if keep:
                info["data_dir"] = str(self.root)
            else:
                shutil.rmtree(self.root, ignore_errors=True)
