"""Feature flag changes reach connected clients as a `features.updated` frame.

Flags are state, not history, so the frame is not in the sync log: it carries
the whole set as it now is for that socket's user ({name: bool}), and a
client that was offline asks GET /api/v1/me/features when it connects. A
change made through this process's admin API is announced at once; one made
elsewhere (`chatd flags set`, another server process on the same database)
is noticed by re-reading the small flags table every POLL_SECONDS.
"""

from __future__ import annotations

import asyncio
import logging

from chatd.realtime import frames
from chatd.realtime.hub import Hub
from chatd.stopping import cancel_and_wait
from chatd.services.features import Features
from chatd.storage.ports.users import UserStore

log = logging.getLogger("chatd.realtime")

POLL_SECONDS = 2.0


class FlagWatch:
    def __init__(self, features: Features, users: UserStore, hub: Hub, poll_seconds: float = POLL_SECONDS):
        self.features, self.users, self.hub = features, users, hub
        self.poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self.features.on_change = self.changed
        self._task = asyncio.create_task(self._poll(), name="chatd-flag-watch")

    async def stop(self) -> None:
        if self.features.on_change == self.changed:
            self.features.on_change = None
        await cancel_and_wait([self._task, *self._pending], "flag watch")

    def changed(self) -> None:
        task = asyncio.create_task(self.announce())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                if await self.features.refresh():
                    await self.announce()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the watch
                log.exception("could not re-read feature flags")

    async def announce(self) -> None:
        """Tell every connected user what is on for them now (one user lookup for all)."""
        users = await self.users.get_many(list(self.hub.sockets))
        for user_id, outboxes in list(self.hub.sockets.items()):
            user = users.get(user_id)
            if user is None:
                continue
            text = frames.encode({"type": "features.updated", "features": self.features.for_user(user)})
            for outbox in list(outboxes):
                outbox.frame(text)
