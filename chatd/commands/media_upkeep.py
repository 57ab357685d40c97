"""`chatd media gc` and `chatd media stats`: the janitor's sweep on demand,
and what is stored. Both open the stores as `serve` does, and work while
the server runs (the sweep's steps are safe beside a running janitor)."""

from __future__ import annotations

import asyncio

from chatd.config import Config


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


async def _gc(cfg: Config) -> int:
    from chatd.runtime import start_runtime

    runtime = await start_runtime(cfg, serving=False)
    try:
        swept = await runtime.services.media_janitor.run_once()
    finally:
        await runtime.close()
    print(f"removed {swept.attachments} attachment(s) ({_size(swept.bytes)}), {swept.orphans} orphan blob(s), "
          f"{swept.partials} interrupted write(s)")
    return 0


async def _stats(cfg: Config) -> int:
    from chatd.runtime import start_runtime

    runtime = await start_runtime(cfg, serving=False)
    try:
        stats = await runtime.stores.attachments.stats()
        blobs = count = 0
        async for info in runtime.stores.blobs.list():
            blobs += 1
            count += info.size
        where = runtime.stores.blobs.description
    finally:
        await runtime.close()
    print(f"attachments  {stats.count} ({_size(stats.bytes)}), of them not yet sent {stats.unbound_count} "
          f"({_size(stats.unbound_bytes)})")
    for content_type, size in sorted(stats.by_type.items(), key=lambda kv: -kv[1]):
        print(f"  {content_type:<40} {_size(size)}")
    print(f"store        {where}: {blobs} blob(s), {_size(count)} (with thumbnails and avatars)")
    return 0


def gc(cfg: Config) -> int:
    return asyncio.run(_gc(cfg))


def stats(cfg: Config) -> int:
    return asyncio.run(_stats(cfg))
