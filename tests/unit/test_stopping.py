"""Shutdown never hangs on a task that swallows its cancel (redis-py can),
and a task that ends with an error while stopping is not reported twice."""

from __future__ import annotations

import asyncio
import logging
import time

from chatd.stopping import cancel_and_wait


async def _stubborn(release: asyncio.Event) -> None:
    while not release.is_set():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            continue  # what a swallowed cancel looks like from outside


async def _fails_on_cancel() -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        raise RuntimeError("closing a connection that was already gone") from None


async def test_a_task_that_swallows_its_cancel_is_left_after_the_wait_and_named(caplog):
    release = asyncio.Event()
    stubborn = asyncio.create_task(_stubborn(release), name="stubborn-reader")
    polite = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="chatd"):
        await cancel_and_wait([stubborn, polite, None], "presence", timeout=0.2)
    assert time.monotonic() - began < 2
    assert polite.cancelled() and not stubborn.done()
    assert [r.getMessage() for r in caplog.records] == ["presence: stubborn-reader did not stop within 0 s"]
    release.set()
    stubborn.cancel()
    await stubborn


async def test_an_error_while_stopping_is_retrieved_and_done_tasks_are_skipped(caplog):
    failing = asyncio.create_task(_fails_on_cancel())
    finished = asyncio.create_task(asyncio.sleep(0))
    await asyncio.sleep(0.01)
    with caplog.at_level(logging.WARNING):
        await cancel_and_wait([failing, finished], "flag watch", timeout=1)
    assert finished.done() and not finished.cancelled()
    assert isinstance(failing.exception(), RuntimeError)
    assert not caplog.records


async def _swallows_one_cancel() -> None:
    """A library wait that loses a cancel once (pymongo's server selection
    did), then waits again: the next cancel must reach it."""
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        pass
    await asyncio.sleep(3600)


async def test_a_task_that_lost_one_cancel_is_asked_again_and_ends(caplog):
    task = asyncio.create_task(_swallows_one_cancel(), name="relay")
    await asyncio.sleep(0)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING):
        await cancel_and_wait([task], "event relay", timeout=2)
    assert task.cancelled()
    assert time.monotonic() - began < 1
    assert not caplog.records
