"""The data-move port (ports/data_move.py) on MongoDB: the conversation
side's documents <-> canonical rows (the SQL columns).

Reactions live inside each message (`reactions`, the pairs readers get);
the time of each reaction, kept by SQL's reactions table, goes into the
`reactions` collection when copied here, and a reaction added later (which
has no such document) dumps with its message's time. Loads are ordered
bulk inserts, so an interrupted one leaves a prefix and the copy resumes
after the last `_id`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pymongo import AsyncMongoClient

from chatd.config import ConfigError, redact_url
from chatd.storage.mongo.backend import NO_TRANSACTIONS
from chatd.storage.mongo.data_docs import DATA, SEP, canonical, document, plain
from chatd.storage.ports.data_move import CONVERSATION_COLLECTIONS, Key, Row

class MongoDataSide:
    collections = CONVERSATION_COLLECTIONS

    def __init__(self, url: str):
        self.url = url
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, serverSelectionTimeoutMS=5000)
        self.db = self.client.get_default_database(default="chatd")
        self.description = f"MongoDB {redact_url(url)}"

    def key(self, collection: str, row: Row) -> Key:
        if collection == "members":
            return (row["conversation_id"], row["user_id"])
        if collection == "reactions":
            return (row["message_id"], row["emoji"], row["user_id"])
        if collection == "events":
            return (row["seq"],)
        if collection == "event_head":
            return ()
        return (row["id"],)

    def _id(self, collection: str, key: Key) -> Any:
        return SEP.join(key) if collection in ("members", "reactions") else key[0]

    async def event_head(self) -> int:
        counter = await self.db.counters.find_one({"_id": "events"})
        return 0 if counter is None else int(counter["seq"])

    async def count(self, collection: str) -> int:
        if collection == "event_head":
            return 1
        if collection == "reactions":
            n = 0
            async for m in self.db.messages.find({"reactions.0": {"$exists": True}}, {"reactions": 1}):
                n += sum(len(users) for _, users in m["reactions"])
            return n
        return await self.db[collection].count_documents({})

    async def rows(self, collection: str, after: Key | None = None, batch: int = 1000) -> AsyncIterator[list[Row]]:
        if collection == "event_head":
            yield [{"seq": await self.event_head()}]
            return
        if collection == "reactions":
            async for rows in self._reactions(after, batch):
                yield rows
            return
        query = {} if after is None else {"_id": {"$gt": self._id(collection, after)}}
        out: list[Row] = []
        async for doc in self.db[collection].find(query, sort=[("_id", 1)], batch_size=batch):
            out.append(plain(canonical(collection, doc)))
            if len(out) == batch:
                yield out
                out = []
        if out:
            yield out

    async def _reactions(self, after: Key | None, batch: int) -> AsyncIterator[list[Row]]:
        query: dict[str, Any] = {"reactions.0": {"$exists": True}}
        if after is not None:
            query["_id"] = {"$gte": after[0]}
        out: list[Row] = []
        async for m in self.db.messages.find(query, {"reactions": 1, "created_at": 1}, sort=[("_id", 1)]):
            pairs = sorted((e, u) for e, users in m["reactions"] for u in users)
            pairs = [p for p in pairs if after is None or (m["_id"], *p) > after]
            times = {d["_id"]: d["created_at"] async for d in self.db.reactions.find(
                {"_id": {"$in": [SEP.join((m["_id"], e, u)) for e, u in pairs]}})} if pairs else {}
            for e, u in pairs:
                created = times.get(SEP.join((m["_id"], e, u)), m["created_at"])
                out.append({"message_id": m["_id"], "emoji": e, "user_id": u, "created_at": int(created)})
            if len(out) >= batch:
                yield out
                out = []
        if out:
            yield out

    async def last_key(self, collection: str) -> Key | None:
        if collection == "event_head":
            return None
        doc = await self.db[collection].find_one({}, sort=[("_id", -1)])
        if doc is None:
            return None
        if collection in ("members", "reactions"):
            return tuple(doc["_id"].split(SEP))
        return (plain(doc["_id"]),)

    async def holds_data(self) -> bool:
        for name in DATA:
            if await self.db[name].find_one({}, {"_id": 1}) is not None:
                return True
        return await self.event_head() > 0

    async def load(self, collection: str, rows: list[Row]) -> None:
        if collection == "event_head":
            await self.db.counters.update_one({"_id": "events"}, {"$set": {"seq": rows[0]["seq"]}}, upsert=True)
            return
        if rows:
            await self.db[collection].insert_many([document(collection, r) for r in rows], ordered=True)

    async def prepare(self) -> None:
        from chatd.storage.mongo.migrations import migrate

        hello = await self.client.admin.command("hello")
        if not hello.get("setName") and hello.get("msg") != "isdbgrid":
            raise ConfigError(NO_TRANSACTIONS)
        await migrate(self.db)

    async def wipe(self) -> None:
        for name in (*DATA, "counters", "chatd_migrations"):
            await self.db[name].drop()
        await self.prepare()

    async def relayed_upto(self) -> int | None:
        state = await self.db.counters.find_one({"_id": "sql_relay"})
        return 0 if state is None else int(state.get("upto", 0))

    async def close(self) -> None:
        await self.client.close()
