"""The bench's server imports chatd from bytecode, as a deployed one does,
even when the bench runs with PYTHONDONTWRITEBYTECODE set (bench/deployment.py)."""

from __future__ import annotations

import argparse
import importlib.util
import os
from pathlib import Path

import chatd.app
from chatd.bench.deployment import Deployment


async def test_the_bench_server_writes_and_reads_chatds_bytecode(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    compiled = Path(importlib.util.cache_from_source(chatd.app.__file__))
    compiled.unlink(missing_ok=True)  # so only the server can have written it
    args = argparse.Namespace(url=None, processes=1, database=None, messages=None, cache=None, profile=False)
    deployment = Deployment(args)
    server = deployment.server(0)
    try:
        await server.start()
    finally:
        server.stop()
        deployment.stop(keep=False, info={})
    # The environment the server was started with (a server that keeps its
    # memory out of dumps has a /proc/PID/environ only root may read).
    assert "PYTHONDONTWRITEBYTECODE" not in server.env and os.environ["PYTHONDONTWRITEBYTECODE"] == "1"
    assert server.env["CHATD_ARGON2_FAST"] == "1"  # the bench's own settings still there
    assert compiled.is_file()
