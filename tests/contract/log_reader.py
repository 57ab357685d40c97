"""A reader of the event log running beside writers, as /sync is."""

from __future__ import annotations

import asyncio

from chatd.storage.ports.events import EventStore


async def read_log(events: EventStore, user_id: str, start: int, page: int, done: asyncio.Event,
                   got: list[int]) -> None:
    """Page the log as `user_id` from `start`, appending each seq to `got`,
    until `done` was set before a page that says there is no more."""
    cursor = start
    while True:
        finished = done.is_set()
        answer = await events.since(user_id, cursor, page)
        got.extend(e.seq for e in answer.events)
        cursor = answer.next
        if finished and not answer.more:
            return
        await asyncio.sleep(0)
