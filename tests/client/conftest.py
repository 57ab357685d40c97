"""A real chatd server (`python -m chatd serve` in a subprocess on a free
loopback port) shared by the client tests, and helpers to make users on it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.client import Client

PASSWORD = "correct horse battery"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("served"), config={"limits": {"messages_per_minute": 10_000}},
                           env=BENCH_ENV)
    asyncio.run(server.start())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def new_client(served: ServerProcess) -> AsyncIterator:
    """`await new_client()` -> a Client registered as a fresh user."""
    made: list[Client] = []

    async def make(prefix: str = "user") -> Client:
        client = Client(served.url, trust_env=False)
        made.append(client)
        await client.register(f"{prefix}_{next(_names)}", PASSWORD)
        return client

    yield make
    for client in made:
        await client.aclose()

