"""`chatd reseal`: after rotating auth.second_factor_key, seal every stored
TOTP secret with the new key so the old one (in
auth.second_factor_previous_keys) can be dropped. Safe beside a running
server (each row is replaced only if unchanged); safe to run twice."""

from __future__ import annotations

import asyncio

from chatd.config import Config


async def _reseal(cfg: Config) -> int:
    from chatd.services.second_factor.reseal import reseal
    from chatd.services.second_factor.sealing import SecretSealer
    from chatd.storage.build import open_stores

    stores = await open_stores(cfg)  # a malformed key is refused before anything is read
    try:
        done = await reseal(stores.second_factors, SecretSealer(stores.keys))
        found = await stores.users.get_many(done.unreadable)
    finally:
        await stores.close()
    print(f"two-step sign-in secrets: {done.resealed} sealed again with auth.second_factor_key, "
          f"{done.current} already were")
    if done.unreadable:
        names = ", ".join(found[uid].username if uid in found else uid for uid in done.unreadable)
        print(f"chatd: {len(done.unreadable)} open with no configured key and were left as they are: {names}; "
              "keep auth.second_factor_previous_keys until the key they need is found, or turn their factor off "
              "with `chatd user reset-second-factor NAME`")
        return 1
    if cfg.auth.second_factor_previous_keys:
        print("every secret now opens with auth.second_factor_key alone: auth.second_factor_previous_keys can be emptied")
    return 0


def run(cfg: Config) -> int:
    return asyncio.run(_reseal(cfg))
