"""PostgreSQL's send path: a batch of drafts in one transaction, in a fixed
number of statements whatever the batch's size (pg_group.py gathers the
batch; one COMMIT, one fsync and one hold of the event-log lock for all).

The same steps and rules as message_append.py, per draft and in batch order:

1. lock the batch's conversation rows, in id order: every process locks in
   the same order, so two batches never wait for each other in a cycle;
2. read every draft's access and any message already stored under its
   (sender, client_id) in one statement (send_access.py);
3. apply `check_send`; a refusal fails that draft only. A client_id already
   stored, or taken by an earlier draft of this batch, answers that first
   message (ClientIdInUse in another conversation), consuming no seq;
   attachments are claimed per draft (a claim that falls short is undone and
   fails that draft only);
4. give the accepted drafts their seqs (last_seq + 1, ... per conversation),
   then insert them, move each conversation's last_seq and the senders'
   read markers in one statement; `message.created` per message goes to the
   log at the end of the transaction (events.py `flush_deferred`).

Nothing is written for a draft before it is known to go in, so no savepoint
is needed: a batch of 200 sends would otherwise be 200 subtransactions
(over 64, PostgreSQL's snapshots overflow to pg_subtrans for every reader).
A send of another process storing the same client_id concurrently (not yet
visible in step 2) makes the insert skip a row: the batch is written again
(`WriteAgain`), and then sees it.
"""

from __future__ import annotations

from typing import Any

from chatd import clock
from chatd.domain import Message
from chatd.ids import new_id
from chatd.storage.ports.messages import AttachmentsUnavailable, Draft, SendRefused, check_send
from chatd.storage.sql.db import Conn
from chatd.storage.sql.events import append_event
from chatd.storage.sql.message_append import repeat_outcome
from chatd.storage.sql.message_rows import MESSAGE_COLUMNS, dump, dump_envelope, message_of
from chatd.storage.sql.pg_group import WriteAgain
from chatd.storage.sql.send_access import SEND_ACCESS_MANY, send_access_of

Outcome = tuple[Message, bool] | Exception

# NO KEY UPDATE, the lock an UPDATE of last_seq takes: it does not conflict
# with the key-share locks of foreign-key checks (an upload inserting into
# this conversation meanwhile).
_LOCK = "SELECT id, last_seq FROM conversations WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE"

_CLAIM = (
    "UPDATE attachments SET message_id = $1 WHERE conversation_id = $2 AND uploader_id = $3"
    " AND message_id IS NULL AND id = ANY($4::text[])"
)

# Data-modifying WITH parts all run, once, whatever the main query reads.
_STORE = """WITH stored AS (
  INSERT INTO messages (id, conversation_id, seq, sender_id, client_id, kind, body, envelope, reply_to,
                        attachments, mentions, created_at)
  SELECT m.*, $12::bigint FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                                      $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS m
  ON CONFLICT (sender_id, client_id) DO NOTHING RETURNING 1),
 moved AS (
  UPDATE conversations c SET last_seq = v.last_seq, last_message_at = $12, updated_at = $12
    FROM unnest($13::text[], $14::bigint[]) AS v(id, last_seq) WHERE c.id = v.id),
 marked AS (
  UPDATE members m SET last_read_seq = v.seq
    FROM unnest($15::text[], $16::text[], $17::bigint[]) AS v(conversation_id, user_id, seq)
   WHERE m.conversation_id = v.conversation_id AND m.user_id = v.user_id AND m.last_read_seq < v.seq)
SELECT count(*) FROM stored"""


async def append_batch(conn: Conn, drafts: list[Draft]) -> list[Outcome]:
    """One outcome per draft, in order: (message, created) or the exception
    its caller gets."""
    at = clock.now()
    locked = await conn.fetch(_LOCK, sorted({d.conversation_id for d in drafts}))
    last_seq = {r["id"]: r["last_seq"] for r in locked}
    rows = await conn.fetch(
        SEND_ACCESS_MANY,
        [d.conversation_id for d in drafts],
        [d.sender_id for d in drafts],
        [d.reply_to for d in drafts],
        [d.client_id for d in drafts],
    )
    access = {r["i"] - 1: r for r in rows}
    outcomes: list[Any] = [None] * len(drafts)
    stored_first: dict[int, str] = {}  # draft -> id of the message stored before under its client id
    first_here: dict[int, int] = {}  # draft -> the earlier draft of this batch with its client id
    taken: dict[tuple[str, str], int] = {}
    new: dict[int, str] = {}  # accepted draft -> its message id
    for k, draft in enumerate(drafts):
        # A conversation not there when the batch locked is none, whatever came since.
        row = access.get(k) if draft.conversation_id in last_seq else None
        try:
            check_send(None if row is None else send_access_of(row), draft)
        except SendRefused as refused:
            outcomes[k] = refused
            continue
        key = (draft.sender_id, draft.client_id)
        if row["first_id"] is not None:
            stored_first[k] = row["first_id"]
        elif key in taken:
            first_here[k] = taken[key]
        else:
            message_id = new_id()
            if draft.attachments and not await _claim(conn, message_id, draft):
                outcomes[k] = AttachmentsUnavailable()
                continue
            new[k] = message_id
            taken[key] = k

    messages = _number(drafts, new, last_seq, at)
    if messages:
        await _store(conn, list(messages.values()), at)
    for k, message in messages.items():
        outcomes[k] = (message, True)
        await append_event(conn, "message.created", message, conversation_id=message.conversation_id)
    for k, first in first_here.items():
        outcomes[k] = repeat_outcome(messages[first], drafts[k])
    if stored_first:
        rows = await conn.fetch(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ANY($1::text[])", list(set(stored_first.values()))
        )
        by_id = {m.id: m for m in map(message_of, rows)}
        for k, first_id in stored_first.items():
            outcomes[k] = repeat_outcome(by_id[first_id], drafts[k])
    return outcomes


async def _claim(conn: Conn, message_id: str, draft: Draft) -> bool:
    """Attach the sender's own, not yet attached uploads of this conversation;
    if any id does not qualify, undo the claim (only rows this fresh message
    id was just written to) and refuse."""
    ids = list(dict.fromkeys(draft.attachments))
    claimed = await conn.execute(_CLAIM, message_id, draft.conversation_id, draft.sender_id, ids)
    if claimed == len(ids):
        return True
    if claimed:
        await conn.execute("UPDATE attachments SET message_id = NULL WHERE message_id = $1", message_id)
    return False


def _number(drafts: list[Draft], new: dict[int, str], last_seq: dict[str, int], at: Any) -> dict[int, Message]:
    """The accepted drafts as messages, with the next seqs of their
    conversations in batch order (gap-free: only these get seqs)."""
    messages: dict[int, Message] = {}
    for k, message_id in new.items():
        d = drafts[k]
        last_seq[d.conversation_id] += 1
        messages[k] = Message(
            id=message_id, conversation_id=d.conversation_id, sender_id=d.sender_id, seq=last_seq[d.conversation_id],
            client_id=d.client_id, kind=d.kind, body=d.body, envelope=d.envelope, reply_to=d.reply_to,
            attachments=d.attachments, mentions=d.mentions, created_at=at,
        )  # fmt: skip
    return messages


async def _store(conn: Conn, messages: list[Message], at: Any) -> None:
    heads: dict[str, int] = {}
    read: dict[tuple[str, str], int] = {}
    for m in messages:  # in seq order per conversation: the last one wins
        heads[m.conversation_id] = m.seq
        read[(m.conversation_id, m.sender_id)] = m.seq
    stored = await conn.fetchval(
        _STORE,
        [m.id for m in messages],
        [m.conversation_id for m in messages],
        [m.seq for m in messages],
        [m.sender_id for m in messages],
        [m.client_id for m in messages],
        [m.kind for m in messages],
        [m.body for m in messages],
        [dump_envelope(m.envelope) for m in messages],
        [m.reply_to for m in messages],
        [dump(m.attachments) for m in messages],
        [dump(m.mentions) for m in messages],
        clock.to_ms(at),
        list(heads),
        list(heads.values()),
        [c for c, _ in read],
        [u for _, u in read],
        list(read.values()),
    )
    if stored != len(messages):
        # Another process stored one of these client ids after step 2 read.
        raise WriteAgain("a client_id was stored concurrently")
