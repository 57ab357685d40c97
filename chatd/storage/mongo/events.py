"""The sync log in MongoDB: one document per event, `_id` = its seq, taken
from a counter document inside the same transaction as the change it
records (backend.py explains why that also orders commits)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from pymongo import ReturnDocument

from chatd import clock
from chatd.domain import Event
from chatd.storage.mongo.backend import MongoBackend, Tx
from chatd.storage.ports.events import EventNote, EventPage

COUNTER = "events"
SCAN_WINDOW = 5000
PRUNE_BATCH = 5000


async def append_event(tx: Tx, type: str, payload: Any, *, conversation_id: str | None = None,
                       user_id: str | None = None) -> None:
    """Record one event; `user_id` set = only that user sees it, otherwise
    every current member of `conversation_id`."""
    counter = await tx.db.counters.find_one_and_update(
        {"_id": COUNTER}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER,
        session=tx.session,
    )
    at = clock.now()
    body = msgspec.to_builtins(payload)
    seq = counter["seq"]
    await tx.db.events.insert_one(
        {"_id": seq, "type": type, "conversation_id": conversation_id, "user_id": user_id,
         "payload": msgspec.json.encode(body).decode(), "created_at": clock.to_ms(at)},
        session=tx.session,
    )
    event = Event(seq=seq, type=type, conversation_id=conversation_id, payload=body, created_at=at)
    tx.notes.append(EventNote(event=event, user_id=user_id))


async def append_events(tx: Tx, type: str, items: list[tuple[Any, str | None]]) -> None:
    """Record one `type` event per (payload, conversation_id), in this order,
    in two operations for all: the counter moved by len(items) once, one
    insert_many (ordered: the transaction fails as a unit)."""
    if not items:
        return
    counter = await tx.db.counters.find_one_and_update(
        {"_id": COUNTER}, {"$inc": {"seq": len(items)}}, upsert=True, return_document=ReturnDocument.AFTER,
        session=tx.session,
    )
    at = clock.now()
    created = clock.to_ms(at)
    first = counter["seq"] - len(items) + 1
    docs = []
    for seq, (payload, conversation_id) in enumerate(items, start=first):
        body = msgspec.to_builtins(payload)
        docs.append({"_id": seq, "type": type, "conversation_id": conversation_id, "user_id": None,
                     "payload": msgspec.json.encode(body).decode(), "created_at": created})
        event = Event(seq=seq, type=type, conversation_id=conversation_id, payload=body, created_at=at)
        tx.notes.append(EventNote(event=event, user_id=None))
    await tx.db.events.insert_many(docs, session=tx.session)


def event_of(doc: dict[str, Any]) -> Event:
    return Event(seq=doc["_id"], type=doc["type"], conversation_id=doc["conversation_id"],
                 payload=msgspec.json.decode(doc["payload"]), created_at=clock.from_ms(doc["created_at"]))


class MongoEventStore:
    def __init__(self, backend: MongoBackend):
        self.backend = backend
        self.db = backend.db

    async def latest(self) -> int:
        counter = await self.db.counters.find_one({"_id": COUNTER})
        return 0 if counter is None else int(counter["seq"])

    async def oldest(self) -> int:
        doc = await self.db.events.find_one({}, sort=[("_id", 1)], projection={"_id": 1})
        return 0 if doc is None else int(doc["_id"])

    async def since(self, user_id: str, after: int, limit: int, *, window: int = SCAN_WINDOW) -> EventPage:
        # The head first: commits happen in seq order, so everything up to it
        # is visible below and `next` may safely reach it.
        head = await self.latest()
        upto = min(after + window, head)
        mine = {m["conversation_id"] async for m in self.db.members.find({"user_id": user_id},
                                                                             {"conversation_id": 1})}
        cursor = self.db.events.find(
            {"_id": {"$gt": after, "$lte": upto},
             "$or": [{"user_id": user_id}, {"user_id": None, "conversation_id": {"$in": sorted(mine)}}]},
            sort=[("_id", 1)], limit=limit,
        )
        events = [event_of(d) async for d in cursor]
        if len(events) == limit:
            return EventPage(events=events, next=events[-1].seq, more=True)
        reached = max(after, upto, events[-1].seq if events else after)
        return EventPage(events=events, next=reached, more=reached < head)

    async def between(self, after: int, upto: int, limit: int) -> list[EventNote]:
        cursor = self.db.events.find({"_id": {"$gt": after, "$lte": upto}}, sort=[("_id", 1)], limit=limit)
        return [EventNote(event=event_of(d), user_id=d["user_id"]) async for d in cursor]

    async def prune(self, before: datetime) -> int:
        cutoff = clock.to_ms(before)
        total = 0
        while True:
            newest = await self.latest()
            docs = [d async for d in self.db.events.find({"_id": {"$lt": newest}}, {"created_at": 1},
                                                          sort=[("_id", 1)], limit=PRUNE_BATCH)]
            cut = None
            for d in docs:
                if d["created_at"] >= cutoff:
                    break
                cut = d["_id"]
            if cut is None:
                return total
            total += (await self.db.events.delete_many({"_id": {"$lte": cut}})).deleted_count
            if not (cut == docs[-1]["_id"] and len(docs) == PRUNE_BATCH):
                return total
