"""Refuse guessable passwords at sign-up and password change (zxcvbn).

zxcvbn (pinned in pyproject.toml) estimates how many guesses a password
takes from its lists of the 30,000 most common leaked passwords, words,
names, keyboard walks, dates and repeats, plus what the user typed
elsewhere (the username and display name). `auth.min_password_score` is the
weakest score accepted: 2 (at least 10^6 guesses, with a slow argon2 hash
on top) refuses every password on those lists and its simple variants,
without composition rules. The check runs offline: no password ever leaves
the server.

zxcvbn's lists cost about 14 MB once loaded, so they are imported on the
first check only, never at start (0 = off never loads them), and dropped
again a minute after the last check: a Pi that had one sign-up should not
carry them for good. A sign-up's checks (the meter as one types, then the
form) fall within that minute; loading them again costs ~60 ms of CPU here.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

import msgspec

from chatd.errors import Invalid

CHECKED_CHARS = 72  # zxcvbn refuses longer input; what follows only adds strength
SCORES = {0: "among the most common passwords", 1: "easy to guess", 2: "guessable", 3: "fairly strong"}


LISTS_KEPT_FOR = 60.0  # seconds after the last check


def _estimate(password: str, hints: list[str]) -> dict[str, Any]:
    from zxcvbn import zxcvbn  # ~14 MB of word lists: loaded on first use only

    return zxcvbn(password[:CHECKED_CHARS], user_inputs=hints)


class _Lists:
    """The checks in flight, counted on the event loop, so the lists are
    never dropped while a thread may be importing or reading them."""

    in_flight = 0
    drop: asyncio.TimerHandle | None = None


async def _estimated(password: str, hints: list[str]) -> dict[str, Any]:
    if _Lists.drop is not None:
        _Lists.drop.cancel()
        _Lists.drop = None
    _Lists.in_flight += 1
    try:
        return await asyncio.to_thread(_estimate, password, hints)
    finally:
        _Lists.in_flight -= 1
        if not _Lists.in_flight:
            _Lists.drop = asyncio.get_running_loop().call_later(LISTS_KEPT_FOR, drop_lists)


def drop_lists() -> bool:
    """Forget zxcvbn's modules, so its lists can be freed; the next check
    imports them again. False when a check is in flight or nothing is loaded."""
    if _Lists.drop is not None:  # called before its time: that timer has nothing left to do
        _Lists.drop.cancel()
        _Lists.drop = None
    names = [name for name in sys.modules if name == "zxcvbn" or name.startswith("zxcvbn.")]
    if _Lists.in_flight or not names:
        return False
    for name in names:
        del sys.modules[name]
    gc.collect()  # its functions and module dicts refer to each other: only the cyclic collector frees them
    return True


class Strength(msgspec.Struct, frozen=True):
    """zxcvbn's score of a candidate against the server's rule (the meter)."""

    score: int
    min_score: int
    acceptable: bool
    warning: str
    suggestions: list[str]


async def rate(password: str, min_score: int, *hints: str) -> Strength:
    """The one rule, for the live meter and for the refusal alike."""
    if not password:  # zxcvbn raises IndexError on "" (the meter's empty field; schemathesis found it)
        return Strength(score=0, min_score=min_score, acceptable=min_score <= 0, warning="",
                        suggestions=["Type a password: a few uncommon words make a strong one."])
    found = await _estimated(password, [h for h in hints if h] + ["chatd"])
    feedback = found.get("feedback") or {}
    return Strength(score=found["score"], min_score=min_score, acceptable=found["score"] >= min_score,
                    warning=feedback.get("warning") or "", suggestions=list(feedback.get("suggestions") or []))


async def require_strong(password: str, min_score: int, *hints: str) -> None:
    """Raise Invalid(code="weak_password") when zxcvbn scores it below `min_score`."""
    if min_score <= 0:
        return
    found = await rate(password, min_score, *hints)
    if found.acceptable:
        return
    advice = " ".join(filter(None, [found.warning, *found.suggestions]))
    raise Invalid(f"This password is {SCORES[found.score]}; choose a longer or less common one. {advice}".strip(),
                  code="weak_password", extra={"score": found.score, "min_score": min_score})
