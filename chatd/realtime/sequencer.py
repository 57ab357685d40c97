"""Hand events on in seq order, each once, with gaps filled from the log.

Out-of-order arrivals are normal: on PostgreSQL two transactions commit in
seq order (append_event's advisory lock) but their on_commit callbacks run
in whichever coroutine resumes first, and with a shared bus other processes'
events interleave with ours. A missing seq is waited for briefly; after that
the log is asked, because by then the seq is either committed (its callback
was lost, e.g. the writer task was cancelled after COMMIT, or it came from
another process such as `chatd user disable`) or rolled back (a gap forever).
Commits happen in seq order, so once a higher seq is committed every lower
one is decided and the log's answer is final.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from chatd.realtime.bus import EventMsg

log = logging.getLogger("chatd.realtime")

FILL_PAGE = 500
Fill = Callable[[int, int, int], Awaitable[list[EventMsg]]]  # (after, upto, limit)


class Sequencer:
    def __init__(self, deliver: Callable[[EventMsg], None], fill: Fill, latest: Callable[[], Awaitable[int]],
                 *, gap_wait: float = 0.25, poll_every: float = 2.0):
        self.deliver, self._fill, self._latest = deliver, fill, latest
        self.gap_wait, self.poll_every = gap_wait, poll_every
        self.expected = 1
        self.held: dict[int, EventMsg] = {}
        self._filling: asyncio.Task[None] | None = None
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.expected = await self._latest() + 1
        self._poller = asyncio.create_task(self._poll(), name="chatd-sequencer-poll")

    async def stop(self) -> None:
        for task in (self._poller, self._filling):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def push(self, msg: EventMsg) -> None:
        if msg.seq < self.expected:
            return  # heard before (or filled from the log already)
        self.held[msg.seq] = msg
        self._drain()
        if self.held and self._filling is None:
            self._filling = asyncio.create_task(self._fill_gap(self.gap_wait), name="chatd-sequencer-fill")

    def _drain(self) -> None:
        while self.expected in self.held:
            msg = self.held.pop(self.expected)
            self.expected += 1
            self.deliver(msg)

    async def _fill_gap(self, wait: float) -> None:
        try:
            await asyncio.sleep(wait)
            if self.held:
                await self.catch_up(min(self.held) - 1)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the next push or poll retries
            log.exception("filling a gap in the event stream failed")
        finally:
            self._filling = None
        if self.held:
            self._filling = asyncio.create_task(self._fill_gap(self.gap_wait), name="chatd-sequencer-fill")

    async def catch_up(self, upto: int) -> None:
        """Deliver everything up to `upto` from the log; seqs it lacks were rolled back."""
        while self.expected <= upto:
            page = await self._fill(self.expected - 1, upto, FILL_PAGE)
            for msg in page:
                if msg.seq >= self.expected:
                    self.expected = msg.seq + 1
                    self.deliver(msg)
            if len(page) < FILL_PAGE:
                self.expected = max(self.expected, upto + 1)
        for seq in [s for s in self.held if s < self.expected]:
            del self.held[seq]  # arrived live while we read them from the log
        self._drain()

    async def _poll(self) -> None:
        """Events committed by other processes without a shared bus (the
        CLI, a second server on one SQLite file) never arrive live: whatever
        was committed a whole poll ago and is still missing is read from the log."""
        seen = 0
        while True:
            await asyncio.sleep(self.poll_every)
            try:
                if seen >= self.expected and self._filling is None:
                    await self.catch_up(seen)
                seen = await self._latest()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep polling
                log.exception("polling the event log failed")
