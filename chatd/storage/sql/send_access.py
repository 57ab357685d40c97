"""The one read a send's admission needs, inside its write (SendAccess).

One statement for all of it: it runs for every message sent, on the writer's
connection, whose page cache stays warm (a reader's is dropped after every
commit). The block subqueries only look at direct conversations.
PostgreSQL's batched sends (message_batch.py) read it for a whole batch of
drafts in one statement (SEND_ACCESS_MANY), with the same expressions.
"""

from __future__ import annotations

from chatd.storage.ports.messages import Draft, SendAccess
from chatd.storage.sql.conversation_rows import CONVERSATION_FIELDS, conversation_of
from chatd.storage.sql.db import Conn, Row

_CONVERSATION = ", ".join(f"c.{f}" for f in CONVERSATION_FIELDS)
_OTHERS = "o.conversation_id = c.id AND o.user_id <> m.user_id AND c.kind = 'direct'"


def _access_columns(reply_to: str) -> str:
    return f"""{_CONVERSATION},
    (SELECT o.user_id FROM members o JOIN contacts b ON b.status = 'blocked'
        AND ((b.owner_id = m.user_id AND b.user_id = o.user_id) OR (b.owner_id = o.user_id AND b.user_id = m.user_id))
     WHERE {_OTHERS} LIMIT 1) AS blocked_peer,
    EXISTS (SELECT 1 FROM members o JOIN contacts b ON b.status = 'blocked'
        AND b.owner_id = m.user_id AND b.user_id = o.user_id WHERE {_OTHERS}) AS blocked_by_sender,
    EXISTS (SELECT 1 FROM messages r WHERE r.id = {reply_to} AND r.conversation_id = c.id) AS reply_to_here"""


SEND_ACCESS = f"""SELECT {_access_columns("$3")}
FROM members m JOIN conversations c ON c.id = m.conversation_id
WHERE m.conversation_id = $1 AND m.user_id = $2"""

# PostgreSQL, a batch of drafts: one row per draft whose sender is a member
# (`i`: the draft's 1-based position), with the id of a message the sender
# already stored under the draft's client_id, if any.
SEND_ACCESS_MANY = f"""SELECT d.i, {_access_columns("d.reply_to")},
    (SELECT f.id FROM messages f WHERE f.sender_id = d.sender_id AND f.client_id = d.client_id) AS first_id
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     WITH ORDINALITY AS d(conversation_id, sender_id, reply_to, client_id, i)
JOIN members m ON m.conversation_id = d.conversation_id AND m.user_id = d.sender_id
JOIN conversations c ON c.id = m.conversation_id"""


def send_access_of(row: Row) -> SendAccess:
    return SendAccess(
        conversation=conversation_of(row),
        blocked_peer=row["blocked_peer"],
        blocked_by_sender=bool(row["blocked_by_sender"]),
        reply_to_here=bool(row["reply_to_here"]),
    )


async def fetch_send_access(conn: Conn, draft: Draft) -> SendAccess | None:
    row = await conn.fetchrow(SEND_ACCESS, draft.conversation_id, draft.sender_id, draft.reply_to)
    return None if row is None else send_access_of(row)
