"""Frames waiting for one socket, written by that socket's own task.

The hub only ever appends (never awaits), so one slow or dead client cannot
delay anybody else; the queue is bounded, and a client that falls further
behind than that is sent `resync` and disconnected: it reconnects with the
cursor of the last event it got and replays the rest from the log, which
costs far less than holding an unbounded backlog in memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from chatd.realtime import frames

# (seq or 0 for frames outside the log, conversation to re-check or None, text)
Item = tuple[int, str | None, str]


class Outbox:
    # One per held socket: no __dict__, and no Event (each made a deque, ~0.8 KB)
    __slots__ = ("_send", "limit", "visible", "items", "parked", "last_seq", "closing", "on_close", "_waiter")

    def __init__(self, send: Callable[[str], Awaitable[None]], limit: int, visible: Callable[[str], bool]):
        self._send = send
        self.limit = limit
        self.visible = visible
        self.items: deque[Item] = deque()
        # While the session replays the log, live frames are parked here and
        # de-duplicated against the replay when it ends.
        self.parked: list[Item] | None = []
        self.last_seq = 0
        self.closing: tuple[int, str] | None = None
        self.on_close: Callable[[], None] | None = None  # told once, when a close is asked
        self._waiter: asyncio.Future[None] | None = None  # the writer's, while it waits

    def event(self, seq: int, conversation_id: str | None, text: str) -> None:
        """A live event from the hub; `conversation_id` set = members only."""
        self._add((seq, conversation_id, text))

    def frame(self, text: str, conversation_id: str | None = None) -> None:
        """Anything outside the log: replies, presence, typing."""
        self._add((0, conversation_id, text))

    def _add(self, item: Item) -> None:
        if self.closing is not None:
            return
        queue = self.parked if self.parked is not None else self.items
        if len(queue) >= self.limit:
            self.too_slow()
            return
        queue.append(item)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def go_live(self, after_seq: int) -> None:
        """The replay ended at `after_seq`: release what was parked, minus
        events the replay already sent."""
        self.last_seq = max(self.last_seq, after_seq)
        parked, self.parked = self.parked or [], None
        for item in parked:
            if not item[0] or item[0] > self.last_seq:
                self._add(item)

    def too_slow(self) -> None:
        self.items.clear()
        self.parked = None
        self.items.append((0, None, frames.resync("too_slow", "You fell too far behind; reconnect with since.")))
        self.close(frames.CLOSE_TOO_SLOW, "too slow: resume with since")

    def close(self, code: int, reason: str, *, final: str | None = None, flush: bool = True) -> None:
        """Ask the writer to stop: after what is queued (flush) or at once,
        with an optional last frame before the close."""
        if self.closing is not None:
            return
        self.closing = (code, reason)
        self.parked = None
        if not flush:
            self.items.clear()
        if final is not None:
            self.items.append((0, None, final))
        self._wake()
        if self.on_close is not None:
            self.on_close()

    def leftovers(self) -> list[str]:
        """Frames outside the log still queued (after the writer was cut off)."""
        return [text for seq, conv, text in self.items if not seq and (conv is None or self.visible(conv))]

    async def run(self) -> tuple[int, str]:
        """Write frames in order until a close is asked; returns its (code, reason)."""
        while True:
            while self.items:
                seq, conv, text = self.items.popleft()
                if seq:
                    if seq <= self.last_seq:
                        continue
                    self.last_seq = seq
                # Membership again at the last moment: a removal routed after
                # this frame was queued still stops it (see membership.py).
                if conv is not None and not self.visible(conv):
                    continue
                await self._send(text)
            if self.closing is not None:
                return self.closing
            # Nothing queued: wait for the next _add or close (no await since
            # the checks above, so none can slip in between).
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
