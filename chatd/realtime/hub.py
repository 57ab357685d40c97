"""This process's switchboard: hears the bus, orders events, routes every
frame to the local sockets allowed to see it.

Routing never awaits: appending to an Outbox is all it does per socket, so
a 1,000-member group costs 1,000 deque appends, and a stalled socket only
ever fills its own queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from chatd.realtime import bus, frames
from chatd.realtime.bus import EventMsg, PresenceMsg, TypingMsg
from chatd.realtime.membership import Memberships
from chatd.realtime.outbox import Outbox
from chatd.realtime.sequencer import Sequencer
from chatd.storage.ports.events import EventStore

log = logging.getLogger("chatd.realtime")

# A waiting subscription re-checks its account and flag at least this often.
WAIT_SECONDS = 30.0


class Hub:
    def __init__(self, events: EventStore):
        self.events = events
        self.memberships = Memberships()
        self.sockets: dict[str, set[Outbox]] = {}
        self.sequencer = Sequencer(self.route_event, self._fill, events.latest)
        # GraphQL subscriptions waiting for the next event (see waiter()).
        self._waiters: set[asyncio.Event] = set()

    async def start(self) -> None:
        """Learn the log's head; call before the fan-out starts delivering to `hear`."""
        await self.sequencer.start()

    async def stop(self) -> None:
        await self.sequencer.stop()

    # --- sockets ---
    def add(self, user_id: str, outbox: Outbox) -> None:
        self.sockets.setdefault(user_id, set()).add(outbox)

    def remove(self, user_id: str, outbox: Outbox) -> None:
        mine = self.sockets.get(user_id)
        if mine is not None:
            mine.discard(outbox)
            if not mine:
                del self.sockets[user_id]

    def all_sockets(self) -> list[Outbox]:
        return [o for outboxes in self.sockets.values() for o in outboxes]

    # --- the stream ---
    def hear(self, data: bytes) -> None:
        """One message from the fan-out (any process's, ours included)."""
        try:
            msg = bus.decode(data)
            if isinstance(msg, EventMsg):
                self.sequencer.push(msg)
            elif isinstance(msg, TypingMsg):
                self.route_typing(msg)
            else:
                self.route_presence(msg)
        except Exception:  # noqa: BLE001 - one bad message must not stop delivery
            log.exception("could not route a bus message")

    async def _fill(self, after: int, upto: int, limit: int) -> list[EventMsg]:
        return [bus.event_msg(n) for n in await self.events.between(after, upto, limit)]

    def waiter(self) -> Callable[[], Awaitable[None]]:
        """Something to await that ends at the next event routed after this
        call (or after WAIT_SECONDS): readers of the log (GraphQL
        subscriptions) register before they read, so no event slips by."""
        flag = asyncio.Event()
        self._waiters.add(flag)

        async def wait() -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(flag.wait(), WAIT_SECONDS)

        return wait

    def route_event(self, msg: EventMsg) -> None:
        waiters, self._waiters = self._waiters, set()
        for flag in waiters:
            flag.set()
        conv = msg.conversation_id
        if msg.member is not None and conv is not None and (msg.type == "member.joined" or msg.user_id is None):
            # Before routing: the new member gets their own member.joined, the
            # one who left no longer gets the conversation-wide member.left.
            self.memberships.changed(conv, msg.member, joined=msg.type == "member.joined")
        text = bytes(msg.frame).decode()
        if msg.user_id is not None:
            for outbox in self.sockets.get(msg.user_id, ()):
                outbox.event(msg.seq, None, text)
            if msg.disabled:
                self.close_user(msg.user_id, frames.CLOSE_FORBIDDEN, "account_disabled")
            return
        if conv is None:
            return
        for user_id in self.memberships.audience(conv):
            for outbox in self.sockets.get(user_id, ()):
                outbox.event(msg.seq, conv, text)

    def route_typing(self, msg: TypingMsg) -> None:
        text = bytes(msg.frame).decode()
        for user_id in self.memberships.audience(msg.conversation_id):
            if user_id != msg.user_id:
                for outbox in self.sockets.get(user_id, ()):
                    outbox.frame(text, msg.conversation_id)

    def route_presence(self, msg: PresenceMsg) -> None:
        text = bytes(msg.frame).decode()
        for user_id in msg.to:
            for outbox in self.sockets.get(user_id, ()):
                outbox.frame(text)

    def close_user(self, user_id: str, code: int, reason: str) -> None:
        final = frames.encode({"type": "error", "id": None, "status": 403, "code": "account_disabled",
                               "title": "Forbidden", "detail": "This account is disabled."})
        for outbox in list(self.sockets.get(user_id, ())):
            outbox.close(code, reason, final=final)
