"""Rotating auth.second_factor_key (ASVS 6.4.1) without losing a factor:

- `check_keys` at start-up: every stored TOTP secret must open with a
  configured key (the current one or a previous one). Otherwise chatd
  refuses to start, naming the accounts, instead of serving with factors
  nobody can use (which key went missing is the admin's to put back).
- `reseal` (`chatd reseal`): every secret not sealed with the current key
  (a previous key's, or one kept plain before a key was set) is sealed with
  it, row by row, each replaced only if nobody changed it meanwhile, so it
  is safe beside a running server. Afterwards the previous keys can go.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from chatd.config import ConfigError
from chatd.services.second_factor.sealing import SecretSealer
from chatd.storage.ports.second_factors import SecondFactorStore
from chatd.storage.ports.users import UserStore

NAMED = 5  # accounts named in a refusal; the rest counted


@dataclass
class Resealed:
    resealed: int = 0  # moved to the current key
    current: int = 0  # already sealed with it
    unreadable: list[str] = field(default_factory=list)  # user ids no configured key opens


async def _secrets(store: SecondFactorStore) -> AsyncIterator[tuple[str, str]]:
    after = ""
    while batch := await store.stored_secrets(after=after):
        for row in batch:
            yield row
        after = batch[-1][0]


async def unreadable(store: SecondFactorStore, sealer: SecretSealer) -> list[str]:
    """User ids whose stored secret no configured key opens."""
    return [user_id async for user_id, stored in _secrets(store) if await sealer.opening_key(user_id, stored) is None]


async def check_keys(store: SecondFactorStore, users: UserStore, sealer: SecretSealer) -> None:
    lost = await unreadable(store, sealer)
    if not lost:
        return
    found = await users.get_many(lost[:NAMED])
    names = ", ".join(found[uid].username if uid in found else uid for uid in lost[:NAMED])
    more = f" and {len(lost) - NAMED} more" if len(lost) > NAMED else ""
    raise ConfigError(
        f"auth.second_factor_key: the two-step sign-in secrets of {len(lost)} account(s) ({names}{more}) open with "
        "neither auth.second_factor_key nor any of auth.second_factor_previous_keys; put the key they were sealed "
        "with back into auth.second_factor_previous_keys (run `chatd reseal` before dropping it), or turn their "
        "factor off with `chatd user reset-second-factor NAME`. Serving now would lock them out")


async def reseal(store: SecondFactorStore, sealer: SecretSealer) -> Resealed:
    if not sealer.has_key:
        raise ConfigError("auth.second_factor_key is empty: there is no key to seal with")
    done = Resealed()
    async for user_id, stored in _secrets(store):
        index = await sealer.opening_key(user_id, stored)
        if index is None:
            done.unreadable.append(user_id)
        elif index == 0:
            done.current += 1
        elif await store.replace_secret(user_id, stored, await sealer.seal(user_id, await sealer.open(user_id, stored))):
            done.resealed += 1
        # else: enrolled again or reset meanwhile, with the current key: nothing to move
    return done
