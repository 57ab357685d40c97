"""The one read a send's admission needs, inside its write (SendAccess).

One statement for all of it: it runs for every message sent, on the writer's
connection, whose page cache stays warm (a reader's is dropped after every
commit). The block subqueries only look at direct conversations.
"""

from __future__ import annotations

from chatd.storage.ports.messages import Draft, SendAccess
from chatd.storage.sql.conversation_rows import CONVERSATION_FIELDS, conversation_of
from chatd.storage.sql.db import Conn

_CONVERSATION = ", ".join(f"c.{f}" for f in CONVERSATION_FIELDS)
_OTHERS = "o.conversation_id = c.id AND o.user_id <> m.user_id AND c.kind = 'direct'"

SEND_ACCESS = f"""SELECT {_CONVERSATION},
    (SELECT o.user_id FROM members o JOIN contacts b ON b.status = 'blocked'
        AND ((b.owner_id = m.user_id AND b.user_id = o.user_id) OR (b.owner_id = o.user_id AND b.user_id = m.user_id))
     WHERE {_OTHERS} LIMIT 1) AS blocked_peer,
    EXISTS (SELECT 1 FROM members o JOIN contacts b ON b.status = 'blocked'
        AND b.owner_id = m.user_id AND b.user_id = o.user_id WHERE {_OTHERS}) AS blocked_by_sender,
    EXISTS (SELECT 1 FROM messages r WHERE r.id = $3 AND r.conversation_id = c.id) AS reply_to_here
FROM members m JOIN conversations c ON c.id = m.conversation_id
WHERE m.conversation_id = $1 AND m.user_id = $2"""


async def fetch_send_access(conn: Conn, draft: Draft) -> SendAccess | None:
    row = await conn.fetchrow(SEND_ACCESS, draft.conversation_id, draft.sender_id, draft.reply_to)
    if row is None:
        return None
    return SendAccess(
        conversation=conversation_of(row),
        blocked_peer=row["blocked_peer"],
        blocked_by_sender=bool(row["blocked_by_sender"]),
        reply_to_here=bool(row["reply_to_here"]),
    )
