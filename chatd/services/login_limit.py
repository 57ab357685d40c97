"""Failed sign-ins: back-off that stops guessing without locking the owner out.

Three counters, each a fixed one-minute window in an expiring store (memory
now, Redis when several processes share the load: see storage/cache.py):

- per account and address: `per_minute` failures, then that pair waits.
  Each time in an hour the pair fills up, its wait doubles (1, 2, 4 ... 16 min).
- per address, over every account: `per_address` failures (password spraying).
- per account, over every address: `per_account` failures (a botnet on one
  account). Known devices are exempt, so a distributed attack cannot lock
  the owner out.

A known device (a request carrying a valid session of that account, or an
address that signed in to it successfully within KNOWN_FOR) gets three
times the pair budget and is exempt from the address and account counters.
Unknown usernames count like real ones: the answers must not differ.
A read-then-write may let a burst through a few over a limit; this is a
brake on guessing, not an exact quota.
"""

from __future__ import annotations

import logging

from chatd.errors import RateLimited
from chatd.storage.ports.expiring import ExpiringStore

log = logging.getLogger("chatd.auth")

WINDOW = 60  # seconds
MAX_BACKOFF = 16 * WINDOW
STRIKES_FOR = 3600  # how long a pair's lock-outs are remembered for the back-off
KNOWN_FOR = 30 * 86400  # a successful sign-in makes its address known to that account this long
KNOWN_BONUS = 3


class LoginLimiter:
    def __init__(self, store: ExpiringStore, per_minute: int, per_address: int | None = None,
                 per_account: int | None = None):
        self.store = store
        self.per_minute = per_minute
        self.per_address = per_address or per_minute * 3
        self.per_account = per_account or per_minute * 5

    def _budgets(self, username: str, address: str | None, known: bool) -> list[tuple[str, int]]:
        """(counter key, budget) that apply to this attempt."""
        out = [(f"login:pair:{username}:{address or '-'}", self.per_minute * (KNOWN_BONUS if known else 1))]
        if not known:
            out.append((f"login:user:{username}", self.per_account))
            if address:
                out.append((f"login:addr:{address}", self.per_address))
        return out

    async def known(self, username: str, address: str | None) -> bool:
        return bool(address) and await self.store.exists(f"login:known:{username}:{address}")

    async def check(self, username: str, address: str | None, known: bool = False) -> None:
        """Raise RateLimited (with retry_after seconds) once a counter that applies is full."""
        for key, budget in self._budgets(username, address, known):
            raw = await self.store.get(key)
            if raw is not None and int(raw) >= budget:
                wait = await self.store.expires_in(key)
                raise RateLimited(
                    "Too many failed sign-in attempts; try again later.",
                    code="login_rate_limited",
                    extra={"retry_after": max(1, wait or WINDOW)},
                )

    async def failed(self, username: str, address: str | None, known: bool = False) -> None:
        for key, budget in self._budgets(username, address, known):
            count = await self._count(key)
            if count == budget:
                await self._lock(key, username, address, budget)

    async def _count(self, key: str) -> int:
        raw = await self.store.get(key)
        if raw is None:
            await self.store.set(key, b"1", expires_in=WINDOW)
            return 1
        # Keep the window's original end: a fixed window, not a sliding one.
        left = await self.store.expires_in(key)
        count = int(raw) + 1
        await self.store.set(key, str(count).encode(), expires_in=max(1, left or WINDOW))
        return count

    async def _lock(self, key: str, username: str, address: str | None, budget: int) -> None:
        wait = WINDOW
        if key.startswith("login:pair:"):
            strikes = await self._count_for(f"login:strikes:{username}:{address or '-'}", STRIKES_FOR)
            wait = min(MAX_BACKOFF, WINDOW * 2 ** (strikes - 1))
            await self.store.set(key, str(budget).encode(), expires_in=wait)
        # For admins (fail2ban can match it); never the password.
        log.warning("sign-in limit reached: %s (%d failures); account %r, address %s; waits %d s",
                    key.split(":")[1], budget, username, address or "-", wait)

    async def _count_for(self, key: str, ttl: int) -> int:
        raw = await self.store.get(key)
        count = 1 if raw is None else int(raw) + 1
        await self.store.set(key, str(count).encode(), expires_in=ttl)
        return count

    async def succeeded(self, username: str, address: str | None) -> None:
        """The pair starts over, and the address is known to this account from now on."""
        await self.store.delete(f"login:pair:{username}:{address or '-'}")
        if address:
            await self.store.set(f"login:known:{username}:{address}", b"1", expires_in=KNOWN_FOR)
