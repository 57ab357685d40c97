"""Two processes' sends interleaving into the same conversations, with a
reader of the sync log beside them (the group-commit suites of PostgreSQL
and MongoDB both run it)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

import pytest

from chatd.storage.build import open_stores
from tests.conftest import _truncate, make_config

from tests.contract.log_reader import read_log
from tests.contract.test_messages import draft, last_seq, seed


@pytest.fixture
async def two_on_postgres(postgres_url: str, tmp_path: Path):
    """Two sets of stores on one PostgreSQL database: two chatd processes."""
    await _truncate(postgres_url)
    a = await open_stores(make_config(tmp_path / "a", postgres_url), run_migrations=False)
    b = await open_stores(make_config(tmp_path / "b", postgres_url), run_migrations=False)
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


async def interleave(a, b, *, users: int, conversations: int, rounds: int) -> None:
    """Both processes send into the same conversations at once, in opposite
    orders; a reader of the log meanwhile gets every event once, in order;
    every conversation's seqs are 1..n; a retried client id racing through
    both processes stores one message per round."""
    names = [f"u{i}" for i in range(users)]
    await seed(a, users=names, conversations=[(f"c{i}", names) for i in range(conversations)])
    start = await a.events.latest()
    got: list[int] = []
    done = asyncio.Event()

    async def process(stores, name: str, order: list[int]) -> list:
        out = []
        for round_ in range(rounds):
            out += await asyncio.gather(*(
                stores.messages.append(draft(f"{name}-{round_}-{u}-{c}", cid=f"c{c}", sender=u))
                for u in names for c in order))
            # A retry of one send, through both processes, in the same round.
            out += await asyncio.gather(*(
                s.messages.append(draft(f"retry-{round_}", cid="c0", sender="u1")) for s in (a, b)))
        return out

    async def write() -> list:
        order = list(range(conversations))
        results = await asyncio.gather(process(a, "a", order), process(b, "b", order[::-1]))
        done.set()
        return [r for rs in results for r in rs]

    _, results = await asyncio.gather(read_log(b.events, "u0", start, 9, done, got), write())
    per_conv: dict[str, list[int]] = defaultdict(list)
    for message, created in results:
        if created:
            per_conv[message.conversation_id].append(message.seq)
    retries = [m for m, _ in results if m.client_id.startswith("retry-")]
    assert len({m.id for m in retries}) == rounds  # one message per retried send
    for cid, seqs in per_conv.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)) == list(range(1, await last_seq(a, cid) + 1))
    assert sum(map(len, per_conv.values())) == 2 * rounds * users * conversations + rounds
    log = [n.event for n in await a.events.between(start, await a.events.latest(), 10_000)]
    assert got == [e.seq for e in log]  # the reader: each once, in order, none skipped
    for cid in per_conv:  # the log's order is each conversation's order
        assert [e.payload["seq"] for e in log if e.conversation_id == cid] == sorted(per_conv[cid])
