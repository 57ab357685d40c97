"""The group writer of PostgreSQL's sends (storage/sql/pg_group.py), on a
stand-in transaction: what queues meanwhile goes in one batch (at most
max_batch), each caller gets its own outcome, a transient failure writes the
batch again, a write PostgreSQL refuses for its data fails alone."""

from __future__ import annotations

import asyncio

import pytest

from chatd.errors import StoreUnavailable
from chatd.storage.sql.pg_group import GroupWriter, WriteAgain


class PgError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


class Fake:
    """A transaction stand-in: records every batch `run` was called with."""

    def __init__(self, fail=lambda items, attempt: None):
        self.batches: list[list] = []
        self.fail = fail

    async def write(self, fn):
        return await fn(None)

    async def run(self, conn, items):
        self.batches.append(list(items))
        error = self.fail(items, len(self.batches))
        if error is not None:
            raise error
        return [ValueError(i) if i == "refused" else f"ok {i}" for i in items]


async def submit_all(writer, items):
    return await asyncio.gather(*(writer.submit(i) for i in items), return_exceptions=True)


async def test_what_queues_meanwhile_is_one_batch_of_at_most_max_batch():
    fake = Fake()
    writer = GroupWriter(fake.write, fake.run, max_batch=3)
    results = await submit_all(writer, list(range(10)))
    assert [len(b) for b in fake.batches] == [3, 3, 3, 1]
    assert results == [f"ok {i}" for i in range(10)]
    assert await writer.submit("later") == "ok later" and fake.batches[-1] == ["later"]


async def test_an_outcome_that_is_an_error_reaches_only_its_caller():
    fake = Fake()
    results = await submit_all(GroupWriter(fake.write, fake.run), ["a", "refused", "b"])
    assert len(fake.batches) == 1
    assert results[0] == "ok a" and results[2] == "ok b" and isinstance(results[1], ValueError)


@pytest.mark.parametrize("error", [PgError("40P01"), PgError("40001"), WriteAgain("again")])
async def test_a_transient_failure_writes_the_batch_again(error):
    fake = Fake(fail=lambda items, attempt: error if attempt == 1 else None)
    results = await submit_all(GroupWriter(fake.write, fake.run), ["a", "b"])
    assert fake.batches == [["a", "b"], ["a", "b"]] and results == ["ok a", "ok b"]


async def test_a_write_postgresql_refuses_fails_alone():
    bad = PgError("22021")
    fake = Fake(fail=lambda items, attempt: bad if "bad" in items else None)
    results = await submit_all(GroupWriter(fake.write, fake.run), ["a", "bad", "b"])
    assert results == ["ok a", bad, "ok b"]
    assert fake.batches == [["a", "bad", "b"], ["a"], ["bad"], ["b"]]


@pytest.mark.parametrize("error", [StoreUnavailable("postgresql"), PgError("57P01"), RuntimeError("closing")])
async def test_a_failure_of_the_store_fails_the_whole_batch_once(error):
    fake = Fake(fail=lambda items, attempt: error)
    results = await submit_all(GroupWriter(fake.write, fake.run), ["a", "b"])
    assert results == [error, error] and len(fake.batches) == 1


async def test_a_caller_that_went_away_does_not_stop_the_others():
    fake = Fake()
    writer = GroupWriter(fake.write, fake.run)
    gone = asyncio.ensure_future(writer.submit("gone"))
    stays = asyncio.ensure_future(writer.submit("stays"))
    await asyncio.sleep(0)
    gone.cancel()
    assert await stays == "ok stays" and fake.batches == [["gone", "stays"]]


async def test_a_writer_cancelled_mid_batch_leaves_no_caller_waiting():
    started = asyncio.Event()

    async def stuck(fn):
        started.set()
        await asyncio.sleep(3600)

    writer = GroupWriter(stuck, Fake().run, max_batch=1)
    callers = [asyncio.ensure_future(writer.submit(i)) for i in range(3)]
    await started.wait()
    writer._task.cancel()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)


async def test_an_unexpected_error_past_the_write_reaches_every_waiting_caller():
    # A bug after the COMMIT (here `run` answers one outcome short): each
    # caller still waiting gets the error, none is cancelled, and what was
    # queued behind that batch is written as usual.
    class Short(Fake):
        async def run(self, conn, items):
            outcomes = await super().run(conn, items)
            return outcomes[:1] if len(items) == 2 else outcomes

    short = Short()
    writer = GroupWriter(short.write, short.run, max_batch=2)
    results = await submit_all(writer, ["a", "b", "c"])
    assert results[0] == "ok a"
    assert isinstance(results[1], ValueError)  # zip(strict=True) refused
    assert results[2] == "ok c" and short.batches == [["a", "b"], ["c"]]
    assert await writer.submit("later") == "ok later"  # the writer goes on


async def test_what_queues_while_a_batch_waits_for_its_turn_goes_in_it():
    # The turn: another process's batch is being written. Sends that arrive
    # meanwhile join the waiting batch (up to max_batch), not the next one.
    fake = Fake()
    waiting, go = asyncio.Event(), asyncio.Event()

    async def turn(conn):
        waiting.set()
        await go.wait()

    writer = GroupWriter(fake.write, fake.run, max_batch=4, turn=turn)
    first = asyncio.ensure_future(writer.submit("a"))
    await waiting.wait()
    later = [asyncio.ensure_future(writer.submit(i)) for i in "bcdef"]
    await asyncio.sleep(0)
    go.set()
    assert await asyncio.gather(first, *later) == [f"ok {i}" for i in "abcdef"]
    assert fake.batches == [["a", "b", "c", "d"], ["e", "f"]]


async def test_a_failed_batch_fails_what_it_took_in_at_its_turn_too():
    error = StoreUnavailable("postgresql")
    fake = Fake(fail=lambda items, attempt: error)
    waiting, go = asyncio.Event(), asyncio.Event()

    async def turn(conn):
        waiting.set()
        await go.wait()

    writer = GroupWriter(fake.write, fake.run, turn=turn)
    first = asyncio.ensure_future(writer.submit("a"))
    await waiting.wait()
    later = asyncio.ensure_future(writer.submit("b"))
    await asyncio.sleep(0)
    go.set()
    assert await asyncio.gather(first, later, return_exceptions=True) == [error, error]
    assert fake.batches == [["a", "b"]]
