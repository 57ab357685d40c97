"""Numbered, recorded migrations of the MongoDB documents, run at start-up:
each runs once, in order, and is recorded in `chatd_migrations`. Index
creation is idempotent, so a start that stopped half-way simply redoes it.
The text index is feature-detected every start (a server that answers error
67 has none) and the result decides how search works (message_search.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import OperationFailure

from chatd import clock
from pymongo.asynchronous.database import AsyncDatabase

NO_TEXT_INDEX = 67  # CannotCreateIndex: the server has no text indexes


async def _indexes(db: AsyncDatabase[Any]) -> None:
    await db.conversations.create_indexes([
        IndexModel([("direct_key", ASCENDING)], unique=True, name="direct_pair",
                   partialFilterExpression={"direct_key": {"$type": "string"}}),
    ])
    await db.members.create_indexes([
        IndexModel([("user_id", ASCENDING)], name="by_user"),
        IndexModel([("conversation_id", ASCENDING), ("joined_at", ASCENDING), ("user_id", ASCENDING)],
                   name="by_conversation"),
    ])
    await db.messages.create_indexes([
        IndexModel([("conversation_id", ASCENDING), ("seq", ASCENDING)], unique=True, name="conversation_seq"),
        IndexModel([("sender_id", ASCENDING), ("client_id", ASCENDING)], unique=True, name="sender_client_id"),
        IndexModel([("conversation_id", ASCENDING), ("created_at", DESCENDING)], name="newest"),
    ])
    await db.attachments.create_indexes([
        IndexModel([("conversation_id", ASCENDING), ("_id", DESCENDING)], name="by_conversation"),
        IndexModel([("uploader_id", ASCENDING)], name="by_uploader"),
        IndexModel([("message_id", ASCENDING)], name="by_message"),
    ])


MIGRATIONS: list[tuple[int, str, Callable[[AsyncDatabase[Any]], Awaitable[None]]]] = [
    (1, "collections and their indexes", _indexes),
]


async def migrate(db: AsyncDatabase[Any]) -> bool:
    """Run what is due; returns whether the server has text indexes."""
    done = {d["_id"] async for d in db.chatd_migrations.find({}, {"_id": 1})}
    for number, name, step in MIGRATIONS:
        if number not in done:
            await step(db)
            await db.chatd_migrations.insert_one({"_id": number, "name": name, "applied_at": clock.to_ms(clock.now())})
    return await _has_text_index(db)


async def _has_text_index(db: AsyncDatabase[Any]) -> bool:
    try:
        await db.messages.create_index([("body", "text")], name="body_text", default_language="none")
    except OperationFailure as err:
        if err.code == NO_TEXT_INDEX:
            return False
        raise
    return True
