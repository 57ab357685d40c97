"""Closed sockets' reference cycles are collected soon, even with the
automatic collector far from its thresholds (an idle server)."""

import asyncio
import gc
import weakref

from chatd.realtime import reclaim


class Cycle:
    def __init__(self) -> None:
        self.me = self


async def test_a_close_is_followed_by_one_full_collection(monkeypatch):
    monkeypatch.setattr(reclaim, "DELAY", 0.05)
    monkeypatch.setattr(reclaim, "SPACING", 0.0)
    collections, real_collect = [], gc.collect
    monkeypatch.setattr(reclaim.gc, "collect", lambda: collections.append(1) or real_collect())
    gc.disable()  # as on an idle server: nothing else collects
    try:
        garbage = Cycle()
        gone = weakref.ref(garbage)
        del garbage
        r = reclaim.Reclaimer()
        for _ in range(100):  # a burst of closes: one collection
            r.socket_closed()
        await asyncio.sleep(0.2)
        assert gone() is None
        assert collections == [1]
    finally:
        gc.enable()


async def test_collections_are_spaced_and_close_cancels_the_next(monkeypatch):
    monkeypatch.setattr(reclaim, "DELAY", 0.01)
    monkeypatch.setattr(reclaim, "SPACING", 0.3)
    collections = []
    monkeypatch.setattr(reclaim.gc, "collect", lambda: collections.append(1))
    r = reclaim.Reclaimer()
    r.socket_closed()
    await asyncio.sleep(0.1)
    r.socket_closed()  # within SPACING of the first collection: waits
    await asyncio.sleep(0.1)
    assert collections == [1]
    r.close()
    await asyncio.sleep(0.3)
    assert collections == [1]
