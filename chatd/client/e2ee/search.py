"""Search in an encrypted conversation runs here, over what this device can
decrypt (the server's search never looks into encrypted messages): every
word of the query, case-insensitively, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatd.domain import Message

if TYPE_CHECKING:
    from chatd.client.e2ee.session import E2ee, Readable

PAGE = 200


async def search_decrypted(e2ee: "E2ee", conversation_id: str, query: str, *, limit: int = 20,
                           max_messages: int = 5000) -> list[tuple[Message, "Readable"]]:
    """Matches among the newest `max_messages` messages, at most `limit`."""
    words = [w.casefold() for w in query.split()]
    if not words:
        return []
    found: list[tuple[Message, Readable]] = []
    before, seen = None, 0
    while seen < max_messages and len(found) < limit:
        page = await e2ee.client.messages(conversation_id, before_seq=before, limit=PAGE)
        for message in reversed(page.items):
            opened = await e2ee.read(message)
            names = " ".join(str(a.get("name", "")) for a in opened.attachments)
            text = f"{opened.text or ''} {names}".casefold()
            if opened.error is None and all(w in text for w in words):
                found.append((message, opened))
                if len(found) == limit:
                    break
        seen += len(page.items)
        if not page.has_more or not page.items:
            break
        before = page.items[0].seq
    return found
