"""`chatd media reseal`: after rotating media.encryption_key, seal every
stored blob with the new key (services/media/reseal.py says how it stays
safe beside a running server). Exit 0 when every blob opens with the
current key alone, 1 when some did not (named), 2 on a config that has no
key to seal with, 130 when interrupted (run it again to resume)."""

from __future__ import annotations

import asyncio
import sys

from chatd.config import Config, ConfigError

NAMED = 10  # unreadable blobs named; the rest counted


async def _reseal(cfg: Config, batch: int) -> int:
    from chatd.services.media.reseal import Resealed, reseal
    from chatd.storage.build import open_stores

    stores = await open_stores(cfg)
    try:
        if stores.sealed_blobs is None:
            raise ConfigError("media.encryption_key is empty: there is no key to seal with")

        async def progress(done: Resealed) -> None:
            print(f"{done.resealed} resealed ({done.bytes / 1e6:.1f} MB), {done.current} already current, "
                  f"{done.gone} deleted meanwhile, {len(done.unreadable)} unreadable", file=sys.stderr, flush=True)

        done = await reseal(stores.sealed_blobs, stores.attachments, batch=batch, progress=progress)
    finally:
        await stores.close()
    print(f"media: {done.resealed} blob(s) sealed again with media.encryption_key ({done.bytes / 1e6:.1f} MB, "
          f"each verified by sha256), {done.current} already were, {done.gone} deleted or changed meanwhile "
          "(left alone)")
    if done.unreadable:
        more = f" and {len(done.unreadable) - NAMED} more" if len(done.unreadable) > NAMED else ""
        print(f"chatd: {len(done.unreadable)} blob(s) open with no configured key (or are damaged) and were left as "
              f"they are: {', '.join(done.unreadable[:NAMED])}{more}; keep media.previous_encryption_keys until "
              "the key they need is found", file=sys.stderr)
        return 1
    if cfg.media.previous_encryption_keys:
        print("every blob now opens with media.encryption_key alone: media.previous_encryption_keys can be emptied")
    return 0


def run(cfg: Config, batch: int) -> int:
    try:
        return asyncio.run(_reseal(cfg, batch))
    except ConfigError as err:
        print(f"chatd: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nchatd: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
