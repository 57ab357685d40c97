"""Search in MongoDB. The user's text is never query syntax: it is cut into
words (runs of letters and digits), and a message matches when it holds
every word as a whole word, case-insensitively. Where the server has text
indexes (real MongoDB) a `$text` search on the quoted words narrows the scan
first; where it has none (SecantusDB answers error 67, detected at start,
never assumed) the scan is bounded to the caller's conversations and
`MAX_SCAN` newest messages. Both paths apply the same word rule, so both
give the same answers."""

from __future__ import annotations

import re
from typing import Any

from chatd.domain import Message
from chatd.storage.mongo.backend import MongoBackend
from chatd.storage.mongo.docs import message_of

MAX_TERMS = 16
MAX_SCAN = 20_000
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))[:MAX_TERMS]


def _holds(body: str, terms: list[str]) -> bool:
    found = {w.lower() for w in _WORD.findall(body)}
    return all(t in found for t in terms)


async def search(backend: MongoBackend, user_id: str, query: str, *, conversation_id: str | None,
                 limit: int) -> list[Message]:
    terms = words(query)
    if not terms:
        return []
    mine = [d["conversation_id"] async for d in backend.db.members.find({"user_id": user_id}, {"conversation_id": 1})]
    if conversation_id is not None:
        mine = [c for c in mine if c == conversation_id]
    if not mine:
        return []
    where: dict[str, Any] = {"conversation_id": {"$in": mine}, "deleted_at": None, "kind": {"$ne": "encrypted"}}
    if backend.text_search:
        where["$text"] = {"$search": " ".join(f'"{t}"' for t in terms)}
    else:  # a first cut by substring (escaped, so nothing in it is syntax); the word rule decides below
        where["$and"] = [{"body": {"$regex": re.escape(t), "$options": "i"}} for t in terms]
    out: list[Message] = []
    cursor = backend.db.messages.find(where, sort=[("created_at", -1), ("seq", -1)], limit=MAX_SCAN)
    async for doc in cursor:
        if doc["body"] and _holds(doc["body"], terms):
            out.append(message_of(doc))
            if len(out) == limit:
                break
    return out
