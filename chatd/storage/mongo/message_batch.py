"""MongoDB's send path: the drafts waiting when a transaction starts are
stored in it together (group commit; the group writer is pg_group.py's), in
a number of operations that does not grow with the batch: pymongo costs
~0.5 ms of CPU per operation, a send alone was ~8 of them.

The same steps and rules as PostgreSQL's message_batch.py, per draft and in
batch order, inside one transaction:

1. read the batch's conversations, the senders' memberships (of direct
   conversations: both members) and the replied-to messages (one find
   each; two for memberships in a batch of both kinds); blocks of a
   direct pair are read through the contacts port (SQL);
2. `check_send`: a refusal fails that draft only;
3. one find of what is stored under the batch's (sender, client_id) pairs:
   such a draft, or one repeating an earlier draft of this batch, answers
   that first message (ClientIdInUse in another conversation) and takes no
   seq; attachments are claimed per draft (a claim that falls short is
   undone and fails that draft only);
4. the accepted drafts get last_seq + 1, ... of their conversation in batch
   order; the conversations move by k each (one bulk_write, which also
   makes concurrent batches into them conflict: one is retried), the
   messages go in with one ordered insert_many, the read markers with one
   bulk_write, `message.created` per message with events.append_events.

Nothing is written for a draft before it is known to go in, so the
transaction fails only as a whole: a client_id another process stored after
step 3 read (DuplicateKeyError) makes the batch be written again
(`WriteAgain`), and then step 3 sees it.

Blocks live with the contacts in the SQL database, read outside this
transaction: a block committed in the same instant as a send may miss it.
"""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DocumentTooLarge, DuplicateKeyError, InvalidDocument, WriteError

from chatd import clock
from chatd.domain import Message
from chatd.ids import new_id
from chatd.storage.mongo.backend import Tx
from chatd.storage.mongo.docs import conversation_of, member_id, message_doc, message_of
from chatd.storage.mongo.events import append_events
from chatd.storage.ports.contacts import ContactStore
from chatd.storage.ports.messages import AttachmentsUnavailable, Draft, SendAccess, SendRefused, check_send
from chatd.storage.sql.message_append import repeat_outcome
from chatd.storage.sql.pg_group import WriteAgain

Outcome = tuple[Message, bool] | Exception
DUPLICATE_KEY = 11000


def transient(err: BaseException) -> bool:
    """backend.write already retried conflicting transactions; what is left
    to write again is a batch that met another process's client_id."""
    return isinstance(err, WriteAgain)


def about_one_write(err: BaseException) -> bool:
    """The server refused a document of the batch: written again one send at
    a time, only that send fails."""
    return isinstance(err, (InvalidDocument, DocumentTooLarge, WriteError, BulkWriteError))


async def append_batch(tx: Tx, contacts: ContactStore, drafts: list[Draft]) -> list[Outcome]:
    """One outcome per draft, in order: (message, created) or the exception
    its caller gets."""
    at = clock.now()
    access = await _access(tx, contacts, drafts)
    outcomes: list[Any] = [None] * len(drafts)
    checked: list[int] = []
    for k, draft in enumerate(drafts):
        try:
            check_send(access[k], draft)
        except SendRefused as refused:
            outcomes[k] = refused
        else:
            checked.append(k)
    stored = await _stored_firsts(tx, [drafts[k] for k in checked])
    first_here: dict[int, int] = {}  # draft -> the earlier draft of this batch with its client id
    taken: dict[tuple[str, str], int] = {}
    new: dict[int, str] = {}  # accepted draft -> its message id
    for k in checked:
        draft = drafts[k]
        key = (draft.sender_id, draft.client_id)
        if key in stored:
            outcomes[k] = repeat_outcome(stored[key], draft)
        elif key in taken:
            first_here[k] = taken[key]
        else:
            message_id = new_id()
            if draft.attachments and not await _claim(tx, message_id, draft):
                outcomes[k] = AttachmentsUnavailable()
                continue
            new[k] = message_id
            taken[key] = k
    messages = _number(drafts, new, {k: access[k] for k in new}, at)
    if messages:
        await _store(tx, list(messages.values()), at)
    for k, message in messages.items():
        outcomes[k] = (message, True)
    for k, first in first_here.items():
        outcomes[k] = repeat_outcome(messages[first], drafts[k])
    return outcomes


async def _access(tx: Tx, contacts: ContactStore, drafts: list[Draft]) -> list[SendAccess | None]:
    """Each draft's SendAccess as read in this transaction (None: no such
    conversation, or the sender is not a member)."""
    conv_ids = list({d.conversation_id for d in drafts})
    convs = {d["_id"]: conversation_of(d) async for d in tx.db.conversations.find(
        {"_id": {"$in": conv_ids}}, session=tx.session)}
    # A direct conversation's members are read whole (the sender and the
    # peer); a group's, the senders' memberships only. Two finds rather than
    # one $or: SecantusDB answered an $or several times slower (_stored_firsts).
    direct = [c.id for c in convs.values() if c.kind == "direct"]
    in_groups = list({member_id(d.conversation_id, d.sender_id) for d in drafts
                      if d.conversation_id in convs and convs[d.conversation_id].kind != "direct"})
    members: dict[str, list[str]] = {}
    for wanted in ({"conversation_id": {"$in": direct}} if direct else None,
                   {"_id": {"$in": in_groups}} if in_groups else None):
        if wanted is not None:
            async for m in tx.db.members.find(wanted, {"conversation_id": 1, "user_id": 1}, session=tx.session):
                members.setdefault(m["conversation_id"], []).append(m["user_id"])
    replies = list({d.reply_to for d in drafts if d.reply_to is not None})
    reply_in: dict[str, str] = {}
    if replies:
        reply_in = {m["_id"]: m["conversation_id"] async for m in tx.db.messages.find(
            {"_id": {"$in": replies}}, {"conversation_id": 1}, session=tx.session)}
    blocks: dict[tuple[str, str], tuple[str | None, bool]] = {}
    out: list[SendAccess | None] = []
    for d in drafts:
        conv = convs.get(d.conversation_id)
        if conv is None or d.sender_id not in members.get(conv.id, ()):
            out.append(None)
            continue
        blocked_peer, by_sender = None, False
        if conv.kind == "direct":
            peer = next((u for u in members[conv.id] if u != d.sender_id), None)
            if peer is not None:
                if (d.sender_id, peer) not in blocks:
                    blocks[(d.sender_id, peer)] = await _blocked(contacts, d.sender_id, peer)
                blocked_peer, by_sender = blocks[(d.sender_id, peer)]
        out.append(SendAccess(conversation=conv, blocked_peer=blocked_peer, blocked_by_sender=by_sender,
                              reply_to_here=d.reply_to is not None and reply_in.get(d.reply_to) == conv.id))
    return out


async def _blocked(contacts: ContactStore, sender: str, peer: str) -> tuple[str | None, bool]:
    by_sender = bool(await contacts.blockers_among(peer, [sender]))
    if by_sender or await contacts.blockers_among(sender, [peer]):
        return peer, by_sender
    return None, False


async def _stored_firsts(tx: Tx, drafts: list[Draft]) -> dict[tuple[str, str], Message]:
    """The messages already stored under these drafts' (sender, client_id)."""
    if not drafts:
        return {}
    wanted = {(d.sender_id, d.client_id) for d in drafts}
    # Both fields with $in, no $or: a plain match on the unique index's two
    # fields. SecantusDB answered an $or of one branch per sender ~4x slower
    # (150 ms at a few hundred messages, growing with them). It may match
    # more pairs than wanted (a's client id of b's); those are dropped.
    where = {"sender_id": {"$in": sorted({s for s, _ in wanted})},
             "client_id": {"$in": sorted({c for _, c in wanted})}}
    firsts: dict[tuple[str, str], Message] = {}
    async for doc in tx.db.messages.find(where, session=tx.session):
        if (doc["sender_id"], doc["client_id"]) in wanted:
            first = message_of(doc)
            firsts[(first.sender_id, first.client_id)] = first
    return firsts


async def _claim(tx: Tx, message_id: str, draft: Draft) -> bool:
    """Attach the sender's own, not yet attached uploads of this conversation;
    if any id does not qualify, undo the claim (only documents this fresh
    message id was just written to) and refuse."""
    ids = list(dict.fromkeys(draft.attachments))
    claimed = await tx.db.attachments.update_many(
        {"_id": {"$in": ids}, "conversation_id": draft.conversation_id, "uploader_id": draft.sender_id,
         "message_id": None},
        {"$set": {"message_id": message_id}}, session=tx.session)
    if claimed.modified_count == len(ids):
        return True
    if claimed.modified_count:
        await tx.db.attachments.update_many({"message_id": message_id}, {"$set": {"message_id": None}},
                                            session=tx.session)
    return False


def _number(drafts: list[Draft], new: dict[int, str], access: dict[int, SendAccess | None],
            at: Any) -> dict[int, Message]:
    """The accepted drafts as messages, with the next seqs of their
    conversations (as read in step 1) in batch order: only these take seqs."""
    last_seq: dict[str, int] = {}
    messages: dict[int, Message] = {}
    for k, message_id in new.items():
        d, seen = drafts[k], access[k]
        assert seen is not None
        seq = last_seq[d.conversation_id] = last_seq.get(d.conversation_id, seen.conversation.last_seq) + 1
        messages[k] = Message(
            id=message_id, conversation_id=d.conversation_id, sender_id=d.sender_id, seq=seq,
            client_id=d.client_id, kind=d.kind, body=d.body, envelope=d.envelope, reply_to=d.reply_to,
            attachments=d.attachments, mentions=d.mentions, created_at=at,
        )  # fmt: skip
    return messages


async def _store(tx: Tx, messages: list[Message], at: Any) -> None:
    heads: dict[str, tuple[int, int]] = {}  # conversation -> (last_seq as read, how many more)
    read: dict[str, int] = {}  # member id -> the sender's newest seq here
    for m in messages:  # in seq order per conversation: the last one wins
        before, k = heads.get(m.conversation_id, (m.seq - 1, 0))
        heads[m.conversation_id] = (before, k + 1)
        read[member_id(m.conversation_id, m.sender_id)] = m.seq
    ms = clock.to_ms(at)
    # last_seq in the filter: a batch that read an older head (another
    # process committed since) matches nothing and is written again.
    moved = await tx.db.conversations.bulk_write(
        [UpdateOne({"_id": c, "last_seq": before},
                   {"$inc": {"last_seq": k}, "$set": {"last_message_at": ms, "updated_at": ms}})
         for c, (before, k) in heads.items()], ordered=True, session=tx.session)
    if moved.matched_count != len(heads):
        raise WriteAgain("a conversation moved on since the batch read it")
    try:
        await tx.db.messages.insert_many([message_doc(m) for m in messages], ordered=True, session=tx.session)
    except (BulkWriteError, DuplicateKeyError) as err:
        if _duplicate(err):  # another process stored one of these client ids after step 3 read
            raise WriteAgain("a client_id was stored concurrently") from err
        raise
    await tx.db.members.bulk_write(
        [UpdateOne({"_id": mid, "last_read_seq": {"$lt": seq}}, {"$set": {"last_read_seq": seq}})
         for mid, seq in read.items()], ordered=True, session=tx.session)
    await append_events(tx, "message.created", [(m, m.conversation_id) for m in messages])


def _duplicate(err: BulkWriteError | DuplicateKeyError) -> bool:
    if isinstance(err, DuplicateKeyError):
        return True
    return any(e.get("code") == DUPLICATE_KEY for e in err.details.get("writeErrors", ()))
