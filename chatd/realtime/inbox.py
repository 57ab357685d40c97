"""Frames received ahead of handling, between a socket's receiver and reader.

What asyncio.Queue did here, minus what an idle socket never uses: the
Queue made three deques and an Event up front (~3 KB per held socket,
measured with tracemalloc); this makes a future only while one side waits.
One receiver puts, one reader gets.
"""

from __future__ import annotations

import asyncio

Item = str | bytes | None


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class Inbox:
    __slots__ = ("limit", "_items", "_getter", "_putter")

    def __init__(self, limit: int):
        self.limit = limit
        self._items: list[Item] = []  # at most `limit`: popping the front is cheap
        self._getter: asyncio.Future[None] | None = None
        self._putter: asyncio.Future[None] | None = None

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

    async def get(self) -> Item:
        """The oldest item; a cancelled get (the reader's timers) loses nothing."""
        while not self._items:
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        return self.get_nowait()
