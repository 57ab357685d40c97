"""Retention of the sync log: events older than limits.event_retention_days
are dropped hourly, in short batches (storage/sql/events.py). Clients whose
cursor predates what is left get 410 and refetch their state."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from chatd import clock
from chatd.storage.ports.events import EventStore

log = logging.getLogger("chatd.realtime")

EVERY = 3600.0
FIRST_AFTER = 30.0  # not during start-up: readiness first


async def prune_forever(events: EventStore, retention_days: int, *, every: float = EVERY,
                        first_after: float = FIRST_AFTER) -> None:
    await asyncio.sleep(first_after)
    while True:
        try:
            gone = await events.prune(clock.now() - timedelta(days=retention_days))
            if gone:
                log.info("pruned %d sync events older than %d days", gone, retention_days)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - try again next round
            log.exception("pruning the sync log failed")
        await asyncio.sleep(every)
