"""The send hot path in SQL: one write that takes the next seq, stores the
message unless its client_id was used before, claims its attachments,
advances the sender's read marker and records `message.created`.

The seq comes from `UPDATE conversations ... RETURNING last_seq` as the first
statement: on PostgreSQL that row lock orders concurrent senders of one
conversation, and a rolled-back send gives its seq back, so seqs stay
gap-free; on SQLite the single writer orders everything anyway. With the
row locked, the port's `check_send` rules see the sender's access
(send_access.py), so a member removed meanwhile cannot send. The insert
skips a (sender, client_id) that is already stored: on PostgreSQL it waits
for a concurrent insert of the same key, in any conversation, to commit
first. A skip undoes the write (the seq goes back) and answers with the
first message. One statement instead of a lookup before the insert: the
common case pays for nothing.

SQLite sends go this way (its writer batches whole writes). PostgreSQL sends
go through message_batch.py: the same steps for a batch of drafts in one
transaction (group commit); this path stays correct there too.
"""

from __future__ import annotations

from chatd import clock
from chatd.domain import Message
from chatd.ids import new_id
from chatd.storage.ports.messages import AttachmentsUnavailable, ClientIdInUse, Draft, check_send
from chatd.storage.sql.db import Conn, Database
from chatd.storage.sql.events import append_event
from chatd.storage.sql.message_rows import INSERT_MESSAGE, fetch_by_client_id, placeholders, row_values
from chatd.storage.sql.send_access import fetch_send_access

INSERT_MESSAGE_ONCE = INSERT_MESSAGE + " ON CONFLICT (sender_id, client_id) DO NOTHING"


class _Repeat(Exception):
    """Same sender + client_id already stored: undo this write (the seq taken
    above goes back) and answer with the first message."""

    def __init__(self, first: Message):
        self.first = first


def repeat_of(first: Message, draft: Draft) -> tuple[Message, bool]:
    if first.conversation_id != draft.conversation_id:
        raise ClientIdInUse(first)
    return first, False


def repeat_outcome(first: Message, draft: Draft) -> tuple[Message, bool] | Exception:
    """`repeat_of` as one outcome of a batch (message_batch.py, both
    engines): a ClientIdInUse is handed to that draft's caller."""
    try:
        return repeat_of(first, draft)
    except ClientIdInUse as err:
        return err


async def append(db: Database, draft: Draft) -> tuple[Message, bool]:
    async def run(conn: Conn) -> Message:
        at = clock.now()
        seq = await conn.fetchval(
            "UPDATE conversations SET last_seq = last_seq + 1, last_message_at = $1, updated_at = $1"
            " WHERE id = $2 RETURNING last_seq",
            clock.to_ms(at),
            draft.conversation_id,
        )
        check_send(None if seq is None else await fetch_send_access(conn, draft), draft)
        message = Message(
            id=new_id(),
            conversation_id=draft.conversation_id,
            sender_id=draft.sender_id,
            seq=seq,
            client_id=draft.client_id,
            kind=draft.kind,
            body=draft.body,
            envelope=draft.envelope,
            reply_to=draft.reply_to,
            attachments=draft.attachments,
            mentions=draft.mentions,
            created_at=at,
        )
        if not await conn.execute(INSERT_MESSAGE_ONCE, *row_values(message)):
            first = await fetch_by_client_id(conn, draft.sender_id, draft.client_id)
            if first is None:  # cannot happen: the skip means the key is stored
                raise RuntimeError("client_id conflict without a stored message")
            raise _Repeat(first)
        if draft.attachments:
            await _claim_attachments(conn, message)
        await conn.execute(
            "UPDATE members SET last_read_seq = $1"
            " WHERE conversation_id = $2 AND user_id = $3 AND last_read_seq < $1",
            seq,
            draft.conversation_id,
            draft.sender_id,
        )
        await append_event(conn, "message.created", message, conversation_id=draft.conversation_id)
        return message

    try:
        return await db.write_rerunnable(run), True
    except _Repeat as repeat:
        return repeat_of(repeat.first, draft)


async def _claim_attachments(conn: Conn, message: Message) -> None:
    """Attach the sender's own, not yet attached uploads of this conversation;
    any id that does not qualify undoes the whole send."""
    ids = list(dict.fromkeys(message.attachments))
    claimed = await conn.execute(
        "UPDATE attachments SET message_id = $1 WHERE conversation_id = $2 AND uploader_id = $3"
        f" AND message_id IS NULL AND id IN ({placeholders(4, len(ids))})",
        message.id,
        message.conversation_id,
        message.sender_id,
        *ids,
    )
    if claimed != len(ids):
        raise AttachmentsUnavailable()
