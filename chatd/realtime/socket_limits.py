"""How many sockets one user and one address may hold, and how fast a socket may send.

One token opening 2,000 sockets took ~350 MB. Per user, the oldest socket
is closed when a new one would pass the limit (4409: a reconnecting client
always gets in, and its stale sockets go). Per address, a new socket past
the limit is refused (4429): sockets of other users are never closed for it.
"""

from __future__ import annotations

from collections import Counter
from typing import Generic, TypeVar

S = TypeVar("S")


class SocketLimits(Generic[S]):
    def __init__(self, per_user: int, per_address: int):
        self.per_user, self.per_address = per_user, per_address
        self.by_user: dict[str, list[S]] = {}
        self.by_address: Counter[str] = Counter()

    def admit(self, address: str) -> bool:
        """Count a new socket from `address`; False (not counted) past the limit."""
        if self.by_address[address] >= self.per_address:
            return False
        self.by_address[address] += 1
        return True

    def release(self, address: str) -> None:
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]

    def join(self, user_id: str, socket: S) -> list[S]:
        """Add the user's new socket; the oldest ones it displaces."""
        held = self.by_user.setdefault(user_id, [])
        held.append(socket)
        excess = len(held) - self.per_user
        return held[:excess] if excess > 0 else []

    def leave(self, user_id: str, socket: S) -> None:
        held = self.by_user.get(user_id)
        if held is not None and socket in held:
            held.remove(socket)
            if not held:
                del self.by_user[user_id]


class FrameRate:
    """A token bucket: `per_second` frames on average, bursts of two seconds' worth."""

    def __init__(self, per_second: float, now: float):
        self.rate, self.burst = per_second, per_second * 2
        self.tokens, self.at = self.burst, now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
