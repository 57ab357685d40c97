"""Port: the fan-out carrier between processes (one process: memory).

Every process publishes bytes and hears every process's bytes, its own
included, in the order each publisher sent them. Delivery is best effort:
while the carrier is down, publishes are dropped. That is safe because the
carrier is never the history: committed events are in the sync log (hubs
fill gaps from it, clients resume with `since`), and presence and typing
are ephemeral. A carrier that loses or regains its connection says so
through `health`, so the real-time side can close sockets (1013) and take
them again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Hear = Callable[[bytes], None]
Health = Callable[[bool], None]


class Fanout(Protocol):
    async def start(self, hear: Hear, health: Health) -> None:
        """Begin delivering to `hear` (called on the event loop, never
        re-entrantly from `publish`); `health(False)` when the carrier is
        lost, `health(True)` once it is back."""
        ...

    def publish(self, data: bytes) -> None:
        """Queue `data` for every process; never blocks."""
        ...

    async def close(self) -> None: ...
