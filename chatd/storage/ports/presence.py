"""Port: who is connected right now (presence), shared by every process.

Ephemeral by nature: kept in process memory, or in Redis when several
processes serve one site. A user is online while any of their sockets is
online, away while all their sockets are away, offline with none. What was
last *announced* is kept apart from the raw socket states: during the grace
period after the last socket closed the user still shows as announced
(online), so a quick reconnect never flaps.

Shared between processes, a socket belongs to the process that holds it.
Each process renews its own lease (`renew`, every few seconds); a process
that stops renewing (killed, cut off) has its sockets forgotten once the
lease runs out, and `expired` names their users so someone announces them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal, Protocol

State = Literal["online", "away", "offline"]
SocketState = Literal["online", "away"]


class PresenceStore(Protocol):
    async def set_socket(self, user_id: str, socket_id: str, state: SocketState) -> State:
        """Add a socket or change its state; returns the user's state from
        their sockets now."""
        ...

    async def drop_socket(self, user_id: str, socket_id: str) -> State:
        """Forget a socket; returns the user's state from the sockets left."""
        ...

    async def current(self, user_id: str) -> State:
        """The user's state from their sockets now (offline without any)."""
        ...

    async def announce(self, user_id: str, state: State) -> bool:
        """Record `state` as announced; False when it already was (nothing to tell)."""
        ...

    async def announced(self, user_ids: Collection[str]) -> dict[str, State]:
        """The announced state of each of `user_ids` (offline when never announced)."""
        ...

    async def renew(self) -> None:
        """Keep this process's sockets alive (called every few seconds)."""
        ...

    async def expired(self) -> list[str]:
        """Forget the sockets of processes whose lease ran out; the users who
        had sockets there (their state may have changed). Each dead process
        is handled by one caller only."""
        ...
