"""Frames received ahead of handling, between a socket's receiver and reader.

What asyncio.Queue did here, minus what an idle socket never uses: the
Queue made three deques and an Event up front (~3 KB per held socket,
measured with tracemalloc); this makes a future only while one side waits.
One receiver puts, one reader gets.

The reader's clocks (reader.py) ring through `alarm`: one timer per socket,
moved only when a deadline comes EARLIER than the one set. The idle
deadline moves later with every frame, so per frame nothing is scheduled or
cancelled (an `asyncio.timeout_at` around each wait made and cancelled a
timer handle per frame, ~2% of a WebSocket send's instructions); a ring
for a deadline that has moved since is only a wake-up, the reader checks
its clocks and sets the alarm again.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Final

Item = str | bytes | None


class _Rang(enum.Enum):
    """What `get` returns when the alarm rang before anything came."""

    RANG = "rang"


RANG: Final = _Rang.RANG


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class Inbox:
    __slots__ = ("limit", "_items", "_getter", "_putter", "_alarm", "_alarm_at", "_rang")

    def __init__(self, limit: int):
        self.limit = limit
        self._items: list[Item] = []  # at most `limit`: popping the front is cheap
        self._getter: asyncio.Future[None] | None = None
        self._putter: asyncio.Future[None] | None = None
        self._alarm: asyncio.TimerHandle | None = None
        self._alarm_at = 0.0
        self._rang = False

    def alarm(self, when: float) -> None:
        """Ring by `when` (loop time): a waiting or the next `get` then
        returns RANG if nothing came. An alarm already set to ring earlier
        stays (its ring is a spurious wake-up the caller checks for)."""
        if self._alarm is not None:
            if self._alarm_at <= when:
                return
            self._alarm.cancel()
        self._alarm_at = when
        self._alarm = asyncio.get_running_loop().call_at(when, self._ring)

    def _ring(self) -> None:
        self._alarm = None
        self._rang = True
        _wake(self._getter)

    def close(self) -> None:
        """No alarm left behind (the reader ends)."""
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return len(self._items) >= self.limit

    def put_nowait(self, item: Item) -> None:
        self._items.append(item)
        _wake(self._getter)

    async def put(self, item: Item) -> None:
        """Wait while full (then TCP pushes back on the client)."""
        while self.full():
            self._putter = asyncio.get_running_loop().create_future()
            try:
                await self._putter
            finally:
                self._putter = None
        self.put_nowait(item)

    def get_nowait(self) -> Item:
        item = self._items.pop(0)
        _wake(self._putter)
        return item

    async def get(self) -> Item | _Rang:
        """The oldest item, or RANG when the alarm rang first; a cancelled
        get loses nothing."""
        while not self._items:
            if self._rang:
                self._rang = False
                return RANG
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        return self.get_nowait()
