"""The sign-up and password-change forms' live strength meter (ASVS 2.1.8).

The forms ask the server to score what is typed, so the meter and the
refusal are one rule (password_strength.rate): a second implementation in
the browser (zxcvbn-ts) has its own word lists and scoring and would
disagree at the edges, and the original zxcvbn.js is unmaintained and
would add ~800 KB to the sign-in page. A candidate is never logged or
stored; scoring costs CPU, so each client address gets PER_MINUTE scores
a minute (the forms wait until typing pauses).
"""

from __future__ import annotations

import time

from chatd.config import Config
from chatd.errors import Invalid, RateLimited
from chatd.services.password_strength import Strength, rate
from chatd.storage.ports.counters import CounterStore

PER_MINUTE = 120
WINDOW = 60
MAX_CHARS = 1024
MAX_HINTS = 4


class PasswordMeter:
    def __init__(self, config: Config, counters: CounterStore):
        self.config, self.counters = config, counters

    async def score(self, address: str, password: str, hints: list[str]) -> Strength:
        if len(password) > MAX_CHARS or len(hints) > MAX_HINTS or any(len(h) > 256 for h in hints):
            raise Invalid(f"At most {MAX_CHARS} characters and {MAX_HINTS} hints of 256.", code="invalid")
        if await self.counters.hit(f"pwmeter:{address}", WINDOW) > PER_MINUTE:
            now = time.time()
            retry_after = max(1, int((now // WINDOW + 1) * WINDOW - now + 0.999))
            raise RateLimited(f"At most {PER_MINUTE} strength checks a minute; try again in {retry_after} s.",
                              code="rate_limited", extra={"retry_after": retry_after},
                              headers={"Retry-After": str(retry_after)})
        return await rate(password, self.config.auth.min_password_score, *hints)
