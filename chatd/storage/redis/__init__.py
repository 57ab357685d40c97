"""Adapters on Redis (redis.asyncio) for storage.cache = "redis://...":
presence, counters, login-limit store, fan-out. Imported only then."""
