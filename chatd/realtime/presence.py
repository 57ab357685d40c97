"""Presence: online while any socket is, away when all say so, offline only
a grace period after the last socket closed (a reload or a network switch
reconnects inside it, so nobody sees the user flap).

Who may see it: the user's accepted contacts and the members of their
conversations with at most `realtime.presence_max_members` members (50 by
default), never someone the user blocked (nor, the other way round, someone
who blocked the user). Members of larger groups are not told: in a
1,000-member group everyone telling everyone is a million frames each time
the group comes online (it took ~11 s to settle); with the cap the work per
user is bounded by their contacts and small conversations. last_seen_at is
private (data-model.md) unless the user sets preferences.share_last_seen = true.

With several processes (storage.cache = redis) the store is shared; each
process renews its lease and sweeps the sockets of processes that died
(`_upkeep`), announcing their users offline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import datetime

import msgspec

from chatd import clock
from chatd.config import RealtimeConfig
from chatd.errors import StoreUnavailable
from chatd.realtime.bus import Bus, PresenceMsg
from chatd.stopping import cancel_and_wait
from chatd.storage.ports.contacts import ContactStore
from chatd.storage.ports.conversations import ConversationStore
from chatd.storage.ports.presence import PresenceStore, SocketState, State
from chatd.storage.ports.users import UserStore

log = logging.getLogger("chatd.realtime")


def presence_frame(user_id: str, state: State, last_seen_at: datetime | None = None) -> bytes:
    return msgspec.json.encode({"type": "presence", "user_id": user_id, "state": state,
                                "last_seen_at": last_seen_at})


class PresenceService:
    def __init__(self, store: PresenceStore, users: UserStore, conversations: ConversationStore,
                 contacts: ContactStore, bus: Bus, config: RealtimeConfig):
        self.store, self.users, self.conversations, self.contacts = store, users, conversations, contacts
        self.bus, self.grace = bus, config.presence_grace_seconds
        self.max_members = config.presence_max_members
        self.renew_every = config.process_ttl_seconds / 3
        self._upkeep_task: asyncio.Task[None] | None = None
        # Sockets that closed while the store was away: dropped on the next upkeep.
        self._undropped: set[tuple[str, str]] = set()
        self._timers: dict[str, asyncio.Task[None]] = {}
        # One transition at a time per user, so announcements leave in the
        # order their states were decided.
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, user_id: str) -> asyncio.Lock:
        return self._locks.setdefault(user_id, asyncio.Lock())

    async def opened(self, user_id: str, socket_id: str, conversation_ids: Collection[str]) -> dict[str, State]:
        """A socket of `user_id` (member of `conversation_ids`) is live; returns
        the presence it may see now, for users not offline (frames only tell
        changes). Who may see whom has no direction, so one look serves both."""
        timer = self._timers.pop(user_id, None)
        if timer is not None:
            timer.cancel()  # back inside the grace period: no offline, no flap
        people = await self._unblocked(user_id, conversation_ids)
        async with self._lock(user_id):
            await self._announce(user_id, await self.store.set_socket(user_id, socket_id, "online"), people=people)
        return {u: s for u, s in (await self.store.announced(people)).items() if s != "offline"}

    def start(self) -> None:
        self._upkeep_task = asyncio.create_task(self._upkeep(), name="chatd-presence-upkeep")

    async def _upkeep(self) -> None:
        """Renew this process's lease; announce the users of processes that died."""
        while True:
            try:
                await self.store.renew()
                for user_id, socket_id in list(self._undropped):
                    await self.closed(user_id, socket_id)
                for user_id in await self.store.expired():
                    await self.settle(user_id)
            except asyncio.CancelledError:
                raise
            except StoreUnavailable:
                log.warning("presence upkeep: the store is not answering; retrying")
            except Exception:  # noqa: BLE001 - keep renewing
                log.exception("presence upkeep failed")
            await asyncio.sleep(self.renew_every)

    async def settle(self, user_id: str) -> None:
        """Announce what `user_id`'s sockets say now (their process died)."""
        async with self._lock(user_id):
            state = await self.store.current(user_id)
            at = None
            if state == "offline":
                at = clock.now()
                await self.users.set_last_seen(user_id, at)
            await self._announce(user_id, state, at)
        if user_id not in self._timers and not self._lock(user_id).locked():
            self._locks.pop(user_id, None)

    async def set_state(self, user_id: str, socket_id: str, state: SocketState) -> None:
        async with self._lock(user_id):
            await self._announce(user_id, await self.store.set_socket(user_id, socket_id, state))

    async def closed(self, user_id: str, socket_id: str) -> None:
        async with self._lock(user_id):
            try:
                state = await self.store.drop_socket(user_id, socket_id)
                self._undropped.discard((user_id, socket_id))
            except StoreUnavailable:
                # The store is away: dropped again by the upkeep once it is back.
                log.warning("presence: could not drop a socket; the store is not answering")
                self._undropped.add((user_id, socket_id))
                return
            if state != "offline":
                await self._announce(user_id, state)  # e.g. the last online tab closed, others are away
                return
        if user_id not in self._timers:
            self._timers[user_id] = asyncio.create_task(self._offline_later(user_id), name="chatd-presence-grace")

    async def _offline_later(self, user_id: str) -> None:
        try:
            await asyncio.sleep(self.grace)
            async with self._lock(user_id):
                if await self.store.current(user_id) != "offline":
                    return
                at = clock.now()
                await self.users.set_last_seen(user_id, at)
                await self._announce(user_id, "offline", at)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - presence must never take a socket down
            log.exception("announcing offline failed")
        finally:
            if self._timers.get(user_id) is asyncio.current_task():
                del self._timers[user_id]
                if not self._lock(user_id).locked():
                    self._locks.pop(user_id, None)

    async def _announce(self, user_id: str, state: State, at: datetime | None = None,
                        people: set[str] | None = None) -> None:
        if not await self.store.announce(user_id, state):
            return
        audience = people if people is not None else await self.audience(user_id)
        if not audience:
            return
        last_seen = at if at is not None and await self._shares_last_seen(user_id) else None
        self.bus.publish(PresenceMsg(to=sorted(audience), frame=msgspec.Raw(presence_frame(user_id, state, last_seen))))

    async def _shares_last_seen(self, user_id: str) -> bool:
        user = await self.users.get(user_id)
        return user is not None and user.preferences.get("share_last_seen") is True

    async def _people(self, user_id: str, convs: Collection[str] | None = None) -> tuple[set[str], set[str]]:
        """(accepted contacts and members of the user's small conversations,
        those the user blocked)."""
        if convs is None:
            convs = [c.id for c, _ in await self.conversations.list_for(user_id)]
        if convs:
            counts = await self.conversations.member_counts(convs)
            convs = [c for c, n in counts.items() if n <= self.max_members]
        members = await self.conversations.members_of(convs) if convs else {}
        people = {m.user_id for ms in members.values() for m in ms}
        contacts = await self.contacts.list(user_id)
        people |= {c.user_id for c in contacts if c.status == "accepted"}
        people.discard(user_id)
        return people, {c.user_id for c in contacts if c.status == "blocked"}

    async def _unblocked(self, user_id: str, convs: Collection[str] | None = None) -> set[str]:
        """The people around `user_id` with no block either way: a blocked
        user never sees the blocker's presence, and the blocker does not
        want theirs."""
        people, blocked = await self._people(user_id, convs)
        people -= blocked
        return people - await self.contacts.blockers_among(user_id, people) if people else people

    async def audience(self, user_id: str) -> set[str]:
        """Who may see `user_id`'s presence."""
        return await self._unblocked(user_id)

    async def state_for(self, viewer_id: str, user_id: str) -> State | None:
        """`user_id`'s presence as `viewer_id` may see it; None when they may not."""
        if viewer_id != user_id and viewer_id not in await self.audience(user_id):
            return None
        return (await self.store.announced([user_id]))[user_id]

    async def close(self) -> None:
        timers, self._timers = list(self._timers.values()), {}
        await cancel_and_wait([self._upkeep_task, *timers], "presence")
