"""The key-value store for short-lived counters (login rate limits), chosen
from storage.cache in this one place. Litestar's Store interface, so a
RedisStore can take over when several processes must share the counters."""

from __future__ import annotations

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from chatd.config import Config


def open_cache(config: Config) -> Store:
    # Only "memory" passes config checks today (storage/build.py refuses others).
    assert config.storage.cache == "memory", config.storage.cache
    return MemoryStore()
