"""The real-time side of one process, started and stopped with the app.

Start order matters: the hub subscribes to the bus and learns the log's head
before the bus listens to the stores' committed events, so no committed event
can slip between them (and if one did, the sequencer would read it from the log).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatd.config import Config
from chatd.realtime import frames
from chatd.realtime.bus import Bus
from chatd.realtime.flag_watch import FlagWatch
from chatd.realtime.hub import Hub
from chatd.realtime.presence import PresenceService
from chatd.realtime.pruner import prune_forever
from chatd.realtime.socket_limits import SocketLimits
from chatd.realtime.typing import TypingService

if TYPE_CHECKING:
    from chatd.realtime.gateway import Session
    from chatd.runtime import Runtime
    from chatd.services.registry import Services
    from chatd.storage.build import Stores

log = logging.getLogger("chatd.realtime")

SHUTDOWN_WAIT = 2.0


class Realtime:
    def __init__(self, config: Config, stores: Stores, services: Services):
        self.config, self.stores, self.services = config, stores, services
        self.bus = Bus(stores.fanout)
        self.hub = Hub(stores.events)
        self.presence = PresenceService(stores.presence, stores.users, stores.conversations, stores.contacts,
                                        self.bus, config.realtime)
        self.typing = TypingService(self.bus, stores.counters, config.realtime.typing_ttl_seconds)
        self.flag_watch = FlagWatch(services.features, stores.users, self.hub)
        self.sessions: set[Session] = set()
        self.limits: SocketLimits[Session] = SocketLimits(config.realtime.max_sockets_per_user,
                                                          config.realtime.max_sockets_per_address)
        self.accepting = False
        # The fan-out carrier (Redis) is lost: sockets are closed 1013 and new
        # ones refused the same way until it is back (then clients resume).
        self.degraded = False
        self._pruner: asyncio.Task[None] | None = None
        self._stop_listening: Callable[[], None] | None = None

    async def start(self) -> None:
        await self.hub.start()
        await self.stores.fanout.start(self.hub.hear, self.fanout_health)
        self.presence.start()
        self._stop_listening = self.stores.committed.listen(self.bus.publish_commit)
        self._pruner = asyncio.create_task(
            prune_forever(self.stores.events, self.config.limits.event_retention_days), name="chatd-prune"
        )
        self.flag_watch.start()
        self.accepting = True

    def fanout_health(self, up: bool) -> None:
        self.degraded = not up
        if up:
            log.info("fan-out is back: taking sockets again")
            return
        log.warning("fan-out lost: closing %d sockets with 1013 until it is back", len(self.sessions))
        from chatd.realtime.gateway import unavailable

        err = unavailable()
        final = frames.error(err)
        for session in list(self.sessions):
            session.stop(frames.CLOSE_TRY_AGAIN, err.code, final)

    async def member_conversations(self, user_id: str) -> list[str]:
        async def load() -> list[str]:
            return [c.id for c, _ in await self.stores.conversations.list_for(user_id)]

        return await self.stores.member_cache.conversations_of(user_id, load)

    async def close_sockets(self, code: int = frames.CLOSE_RESTART, reason: str = "server restarting") -> None:
        """Ask every socket to close (1012: clients reconnect and resume) and
        wait a little for them to go. Safe to call twice."""
        self.accepting = False
        for session in list(self.sessions):
            session.stop(code, reason)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SHUTDOWN_WAIT
        while self.sessions and loop.time() < deadline:
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        await self.close_sockets()
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        if self._pruner is not None:
            self._pruner.cancel()
            await asyncio.gather(self._pruner, return_exceptions=True)
        await self.flag_watch.stop()
        await self.presence.close()
        await self.hub.stop()
        await self.stores.fanout.close()


async def start_realtime(runtime: Runtime) -> Realtime:
    realtime = Realtime(runtime.config, runtime.stores, runtime.services)
    await realtime.start()
    return realtime


async def close_app_sockets(app: Any) -> None:
    """Before the server stops: close every socket with 1012 (see commands/serve.py)."""
    realtime = getattr(app.state, "realtime", None)
    if realtime is not None:
        await realtime.close_sockets()
