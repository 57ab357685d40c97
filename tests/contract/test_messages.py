"""MessageStore contract, on every adapter (seeded and read through the ports): gap-free seqs under
concurrency, client_id idempotency, versions, tombstones, reactions, history
paging, latest_in and search visibility."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from chatd import clock
from chatd.domain import Attachment, Contact, Conversation, Envelope, Member, User
from chatd.storage.build import open_stores
from chatd.storage.ports.contacts import ContactPair
from chatd.storage.ports.conversations import MemberPlan
from chatd.storage.ports.messages import (
    AttachmentsUnavailable,
    ClientIdInUse,
    Draft,
    EncryptionRequired,
    MessageDeleted,
    NoConversation,
    PeerBlocked,
    ReplyElsewhere,
    StaleVersion,
    TooManyReactions,
)
from tests.sql_handle import sql_db


@pytest.fixture
def stores(message_stores):
    """Every adapter of the conversation side (tests/conftest.py MESSAGE_ADAPTERS)."""
    return message_stores


async def seed(stores, users=("ann", "bob"), conversations=(("c1", ("ann", "bob")),), direct=()) -> None:
    """Users and conversations through the ports (the conversation ids of
    `direct` are direct conversations): every adapter runs this suite."""
    for u in users:
        at = clock.now()
        await stores.users.create(User(id=u, username=u, display_name=u, created_at=at, updated_at=at), "x")
    for cid, members in conversations:
        at = clock.now()
        conv = Conversation(id=cid, kind="direct" if cid in direct else "group", created_by=members[0],
                            created_at=at, updated_at=at)
        await stores.conversations.create_group(
            conv, [Member(conversation_id=cid, user_id=m, joined_at=at) for m in members])


async def leave(stores, cid: str, user: str) -> None:
    await stores.conversations.change_members(cid, lambda conv, members: MemberPlan(remove=[user]))


async def add_attachment(stores, att_id, conversation_id, uploader_id) -> None:
    att = Attachment(id=att_id, uploader_id=uploader_id, conversation_id=conversation_id, filename="f.txt",
                     content_type="text/plain", size=1, sha256="x", created_at=clock.now())
    await stores.attachments.add(att, att_id)


async def events(stores, type_=None):
    notes = await stores.events.between(0, await stores.events.latest(), 1_000_000)
    out = [(n.event.type, n.event.conversation_id, n.user_id, n.event.payload) for n in notes]
    return [e for e in out if type_ is None or e[0] == type_]


def on_sql(stores):
    """The SQL database when messages live there (SQL-only checks), else None."""
    return None if "messages" in stores.backends else sql_db(stores)


async def last_seq(stores, cid="c1") -> int:
    return (await stores.conversations.get(cid)).last_seq


def draft(client_id, body="hi", sender="ann", cid="c1", **kw) -> Draft:
    return Draft(conversation_id=cid, sender_id=sender, client_id=client_id, body=body, **kw)


async def test_append_numbers_messages_and_records_everything(stores):
    await seed(stores)
    a, created = await stores.messages.append(draft("a1", "first", mentions=["bob"]))
    b, _ = await stores.messages.append(draft("b1", "second", sender="bob", reply_to=a.id))
    c, _ = await stores.messages.append(draft("a2", "third"))
    assert created and [a.seq, b.seq, c.seq] == [1, 2, 3]
    assert a.version == 1 and a.mentions == ["bob"] and b.reply_to == a.id
    conv = await stores.conversations.get("c1")
    assert conv.last_seq == 3 and conv.last_message_at == c.created_at
    # The sender has read what they sent; the other member has not.
    assert (await stores.conversations.member("c1", "ann")).last_read_seq == 3
    assert (await stores.conversations.member("c1", "bob")).last_read_seq == 2
    assert await stores.messages.get(a.id) == a
    assert await stores.messages.get("nope") is None
    created_events = await events(stores, "message.created")
    assert [(e[1], e[2], e[3]["seq"], e[3]["body"]) for e in created_events] == [
        ("c1", None, 1, "first"), ("c1", None, 2, "second"), ("c1", None, 3, "third"),
    ]  # fmt: skip
    assert created_events[0][3] == msgspec.to_builtins(a)
    with pytest.raises(NoConversation):
        await stores.messages.append(draft("a3", cid="gone"))


async def test_200_concurrent_appends_from_10_senders_are_gap_free(stores):
    senders = [f"s{i}" for i in range(10)]
    await seed(stores, users=senders, conversations=[("c1", senders)])
    results = await asyncio.gather(
        *(stores.messages.append(draft(f"{s}-{n}", f"{s} {n}", sender=s)) for s in senders for n in range(20))
    )
    assert all(created for _, created in results)
    assert sorted(m.seq for m, _ in results) == list(range(1, 201))
    db = on_sql(stores)
    if "messages" in stores.backends or (db is not None and db.dialect == "postgres"):
        # the sends really overlapped: grouped into batches (one time per batch)
        assert len({m.created_at for m, _ in results}) < len(results)
    assert await last_seq(stores) == 200
    page = await stores.messages.history("c1", limit=200)
    assert [m.seq for m in page.items] == list(range(1, 201)) and not page.has_more
    assert len(await events(stores, "message.created")) == 200


async def test_same_client_id_sent_concurrently_stores_one_message(stores):
    await seed(stores)
    results = await asyncio.gather(*(stores.messages.append(draft("same", f"try {i}")) for i in range(20)))
    assert sum(created for _, created in results) == 1
    assert len({m.id for m, _ in results}) == 1
    assert await last_seq(stores) == 1
    assert len(await events(stores, "message.created")) == 1


async def test_retry_returns_the_first_message_and_consumes_no_seq(stores):
    await seed(stores)
    first, _ = await stores.messages.append(draft("x", "original"))
    await stores.messages.append(draft("y"))
    again, created = await stores.messages.append(draft("x", "changed on retry"))
    assert not created and again == first
    assert await last_seq(stores) == 2
    nxt, _ = await stores.messages.append(draft("z"))
    assert nxt.seq == 3
    assert len(await events(stores, "message.created")) == 3
    # Another sender may use the same client_id: the key is per sender.
    other, created = await stores.messages.append(draft("x", sender="bob"))
    assert created and other.seq == 4


async def test_client_id_reused_in_another_conversation_is_refused(stores):
    await seed(stores, conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "bob"))])
    first, _ = await stores.messages.append(draft("k", cid="c1"))
    with pytest.raises(ClientIdInUse) as err:
        await stores.messages.append(draft("k", cid="c2"))
    assert err.value.first == first
    assert await last_seq(stores, "c2") == 0


async def test_client_id_racing_into_two_conversations(stores):
    await seed(stores, conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "bob"))])
    results = await asyncio.gather(
        stores.messages.append(draft("k", cid="c1")), stores.messages.append(draft("k", cid="c2")),
        return_exceptions=True,
    )
    stored = [r for r in results if isinstance(r, tuple)]
    assert len(stored) == 1 and isinstance([r for r in results if r not in stored][0], ClientIdInUse)
    assert await last_seq(stores, "c1") + await last_seq(stores, "c2") == 1


async def test_client_id_race_lost_on_the_unique_index(stores):
    """PostgreSQL: a send of the same client_id to another conversation that is
    not committed yet holds the unique index; the second insert waits for it,
    then finds the first message."""
    db = on_sql(stores)
    if db is None or db.dialect != "postgres":
        pytest.skip("PostgreSQL only: SQLite has one writer, and the lookup always sees the earlier send")
    import asyncpg

    await seed(stores, conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "bob"))])
    other = await asyncpg.connect(db.url)
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, client_id, body, created_at)"
            " VALUES ('first', 'c1', 1, 'ann', 'k', 'hi', 0)"
        )
        send = asyncio.create_task(stores.messages.append(draft("k", cid="c2")))
        await asyncio.sleep(0.2)
        assert not send.done()  # waiting on the unique index
        await tx.commit()
        with pytest.raises(ClientIdInUse) as err:
            await send
        assert err.value.first.id == "first"
    finally:
        await other.close()
    assert await last_seq(stores, "c2") == 0


async def test_attachments_are_claimed_only_when_all_qualify(stores):
    await seed(stores, conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "bob"))])
    for att, cid, uploader in [("a1", "c1", "ann"), ("a2", "c1", "ann"), ("b1", "c1", "bob"), ("x1", "c2", "ann")]:
        await add_attachment(stores, att, cid, uploader)
    for bad in (["a1", "b1"], ["a1", "x1"], ["a1", "nope"]):
        with pytest.raises(AttachmentsUnavailable):
            await stores.messages.append(draft(f"bad-{bad[1]}", attachments=bad))
    assert await last_seq(stores) == 0  # refused sends took no seq
    m, _ = await stores.messages.append(draft("ok", attachments=["a1", "a2"]))
    assert m.attachments == ["a1", "a2"] and m.seq == 1
    owners = {a: (await stores.attachments.get(a)).attachment.message_id for a in ("a1", "a2", "b1", "x1")}
    assert owners == {"a1": m.id, "a2": m.id, "b1": None, "x1": None}
    with pytest.raises(AttachmentsUnavailable):  # already attached
        await stores.messages.append(draft("again", attachments=["a2"]))


async def test_edit_checks_the_version(stores):
    await seed(stores)
    m, _ = await stores.messages.append(draft("a", "helo"))
    at = clock.now()
    edited = await stores.messages.edit(m.id, expected_version=1, at=at, body="hello")
    assert (edited.body, edited.version, edited.edited_at, edited.seq) == ("hello", 2, at, 1)
    with pytest.raises(StaleVersion) as err:
        await stores.messages.edit(m.id, expected_version=1, at=clock.now(), body="lost update")
    assert err.value.current == edited
    with pytest.raises(StaleVersion) as err:
        await stores.messages.edit("nope", expected_version=1, at=clock.now(), body="x")
    assert err.value.current is None
    updated = await events(stores, "message.updated")
    assert [e[3]["body"] for e in updated] == ["hello"]
    assert (await stores.messages.get(m.id)).body == "hello"


async def test_edit_of_an_encrypted_message_replaces_the_envelope(stores):
    await seed(stores)
    env = Envelope(alg="x25519-xsalsa20poly1305", sender_device="d1", nonce="n", ciphertext="c1", keys={"d2": "k"})
    m, _ = await stores.messages.append(Draft(conversation_id="c1", sender_id="ann", client_id="e", kind="encrypted", envelope=env))
    assert m.body is None and (await stores.messages.get(m.id)).envelope == env
    env2 = Envelope(alg=env.alg, sender_device="d1", nonce="n2", ciphertext="c2")
    edited = await stores.messages.edit(m.id, expected_version=1, at=clock.now(), envelope=env2)
    assert edited.envelope == env2 and edited.body is None


async def test_delete_leaves_a_tombstone(stores):
    await seed(stores)
    await add_attachment(stores, "a1", "c1", "ann")
    m, _ = await stores.messages.append(draft("a", "secret plans", attachments=["a1"], mentions=["bob"]))
    await stores.messages.react(m.id, user_id="bob", emoji="👍", add=True, max_distinct=50)
    assert [x.id for x in await stores.messages.search("bob", "secret")] == [m.id]
    at = clock.now()
    gone = await stores.messages.delete(m.id, at=at)
    assert (gone.body, gone.attachments, gone.mentions, gone.reactions) == (None, [], [], {})
    assert (gone.deleted_at, gone.version, gone.seq, gone.client_id) == (at, 3, 1, "a")
    assert await stores.messages.get(m.id) == gone
    assert await stores.messages.search("bob", "secret") == []
    assert await stores.messages.search("bob", "plans") == []
    assert (await stores.messages.get(m.id)).reactions == {}
    # Deleting again changes nothing and tells nobody.
    assert await stores.messages.delete(m.id, at=clock.now()) == gone
    assert [e[3]["id"] for e in await events(stores, "message.deleted")] == [m.id]
    assert await stores.messages.delete("nope", at=at) is None
    with pytest.raises(StaleVersion) as err:
        await stores.messages.edit(m.id, expected_version=3, at=clock.now(), body="back")
    assert err.value.current == gone


async def test_reactions_add_remove_idempotently(stores):
    await seed(stores, users=("ann", "bob", "cat"), conversations=[("c1", ("ann", "bob", "cat"))])
    m, _ = await stores.messages.append(draft("a"))
    react = stores.messages.react
    r1 = await react(m.id, user_id="bob", emoji="👍", add=True, max_distinct=2)
    assert (r1.reactions, r1.version) == ({"👍": ["bob"]}, 2)
    assert await react(m.id, user_id="bob", emoji="👍", add=True, max_distinct=2) == r1  # no-op, no bump
    r2 = await react(m.id, user_id="cat", emoji="👍", add=True, max_distinct=2)
    r3 = await react(m.id, user_id="cat", emoji="🎉", add=True, max_distinct=2)
    assert (r3.reactions, r3.version) == ({"👍": ["bob", "cat"], "🎉": ["cat"]}, 4)
    with pytest.raises(TooManyReactions):
        await react(m.id, user_id="ann", emoji="😀", add=True, max_distinct=2)
    r4 = await react(m.id, user_id="bob", emoji="👍", add=False, max_distinct=2)
    assert (r4.reactions, r4.version) == ({"👍": ["cat"], "🎉": ["cat"]}, 5)
    assert await react(m.id, user_id="bob", emoji="👍", add=False, max_distinct=2) == r4
    r5 = await react(m.id, user_id="cat", emoji="🎉", add=False, max_distinct=2)
    assert r5.reactions == {"👍": ["cat"]}
    assert await stores.messages.get(m.id) == r5
    assert (await stores.messages.get(m.id)).reactions == {"👍": ["cat"]}
    assert [e[3]["version"] for e in await events(stores, "reaction.changed")] == [2, r2.version, 4, 5, 6]
    assert await react("nope", user_id="bob", emoji="👍", add=True, max_distinct=2) is None
    await stores.messages.delete(m.id, at=clock.now())
    with pytest.raises(MessageDeleted):
        await react(m.id, user_id="bob", emoji="👍", add=True, max_distinct=2)


async def test_concurrent_reactions_all_land(stores):
    users = [f"u{i}" for i in range(8)]
    await seed(stores, users=users, conversations=[("c1", users)])
    m, _ = await stores.messages.append(draft("a", sender="u0"))
    await asyncio.gather(*(stores.messages.react(m.id, user_id=u, emoji="❤️", add=True, max_distinct=50) for u in users))
    final = await stores.messages.get(m.id)
    assert sorted(final.reactions["❤️"]) == users and final.version == 1 + len(users)


async def test_history_pages_both_ways(stores):
    await seed(stores)
    for i in range(7):
        await stores.messages.append(draft(f"m{i}", f"n{i}"))
    h = stores.messages.history

    async def seqs(**kw):
        page = await h("c1", **kw)
        return [m.seq for m in page.items], page.has_more

    assert await seqs(limit=3) == ([5, 6, 7], True)
    assert await seqs(before_seq=5, limit=3) == ([2, 3, 4], True)
    assert await seqs(before_seq=2, limit=3) == ([1], False)
    assert await seqs(before_seq=4, limit=3) == ([1, 2, 3], False)
    assert await seqs(after_seq=0, limit=3) == ([1, 2, 3], True)
    assert await seqs(after_seq=4, limit=3) == ([5, 6, 7], False)
    assert await seqs(after_seq=7, limit=3) == ([], False)
    assert await seqs(limit=50) == (list(range(1, 8)), False)
    assert (await h("other")).items == []


async def test_history_json_is_the_pages_json_byte_for_byte(stores):
    """The API's answer comes from history_json: the same bytes as encoding
    history's page, whatever a message holds (envelope, lists, reactions,
    edits, tombstones, a time on a whole second, text that JSON escapes),
    and nothing for a reader who is not a member."""
    await seed(stores, users=("ann", "bob", "eve"), conversations=[("c1", ("ann", "bob")), ("c2", ("ann",))])
    env = Envelope(alg="x25519", sender_device="d1", nonce="n", ciphertext="c\u0000\"", keys={"d2": "k"})
    first, _ = await stores.messages.append(draft("a1", 'quote " \\ tab\t new\nline é 😀 \u2028', mentions=["bob"]))
    await stores.messages.append(draft("a2", kind="encrypted", body=None, envelope=env, reply_to=first.id))
    third, _ = await stores.messages.append(draft("a3", "edit me", sender="bob"))
    gone, _ = await stores.messages.append(draft("a4", "delete me"))
    await stores.messages.react(first.id, user_id="bob", emoji="❤️", add=True, max_distinct=50)
    await stores.messages.react(first.id, user_id="ann", emoji="👍", add=True, max_distinct=50)
    await stores.messages.edit(third.id, expected_version=1, at=clock.from_ms(1_765_000_000_000), body="edited")
    await stores.messages.delete(gone.id, at=clock.from_ms(1_765_000_000_123))
    for i in range(5):
        await stores.messages.append(draft(f"b{i}", f"more {i}", sender="bob"))
    for kw in ({}, {"limit": 3}, {"before_seq": 6, "limit": 4}, {"before_seq": 2}, {"after_seq": 0, "limit": 5},
               {"after_seq": 7}, {"after_seq": 9}, {"limit": 200}):
        expected = msgspec.json.encode(await stores.messages.history("c1", **kw))
        assert await stores.messages.history_json("bob", "c1", **kw) == expected, kw
    # A member of an empty conversation gets an empty page; anyone else nothing.
    assert await stores.messages.history_json("ann", "c2") == b'{"items":[],"has_more":false}'
    assert await stores.messages.history_json("eve", "c1") is None
    assert await stores.messages.history_json("eve", "c1", after_seq=0) is None
    assert await stores.messages.history_json("bob", "c2") is None
    assert await stores.messages.history_json("ann", "nope") is None
    await leave(stores, "c1", "bob")
    assert await stores.messages.history_json("bob", "c1") is None


async def test_history_json_shows_each_change_to_a_page_already_read(stores):
    """A page read once is read again after each kind of change to its
    messages (edit, reaction on and off, tombstone, a new message): every
    time the same bytes as encoding history's page, never the page as it was."""
    await seed(stores)
    ids = [(await stores.messages.append(draft(f"k{i}", f"text {i}")))[0].id for i in range(6)]

    async def same(**kw):
        expected = msgspec.json.encode(await stores.messages.history("c1", **kw))
        assert await stores.messages.history_json("bob", "c1", **kw) == expected, kw
        return expected

    pages = ({}, {"before_seq": 5, "limit": 2}, {"after_seq": 2, "limit": 3})
    for kw in pages:
        await same(**kw)
    changes = [
        lambda: stores.messages.edit(ids[3], expected_version=1, at=clock.now(), body="edited"),
        lambda: stores.messages.react(ids[2], user_id="bob", emoji="👍", add=True, max_distinct=50),
        lambda: stores.messages.react(ids[2], user_id="bob", emoji="👍", add=False, max_distinct=50),
        lambda: stores.messages.delete(ids[4], at=clock.now()),
        lambda: stores.messages.append(draft("new", "the newest")),
    ]
    for change in changes:
        before = [await same(**kw) for kw in pages]
        await change()
        after = [await same(**kw) for kw in pages]
        assert before != after  # each change shows in a page read before it


async def test_closing_finishes_the_queued_sends_then_refuses_new_ones(message_config):
    """A shutdown: sends already asked for are stored and answered (their
    callers are waiting), a send after the close is refused, and the stores
    opened again hold every one of them."""
    stores = await open_stores(message_config, run_migrations=False)
    try:
        await seed(stores)
        sends = [asyncio.ensure_future(stores.messages.append(draft(f"k{i}"))) for i in range(20)]
        await asyncio.sleep(0)  # asked for, queued, none answered yet
        assert not any(s.done() for s in sends)
    finally:
        await stores.close()
    assert [s.result()[0].seq for s in sends] == list(range(1, 21))
    with pytest.raises(RuntimeError):
        await stores.messages.append(draft("late"))
    again = await open_stores(message_config, run_migrations=False)
    try:
        assert await last_seq(again) == 20
        assert [m.client_id for m in (await again.messages.history("c1")).items] == [f"k{i}" for i in range(20)]
    finally:
        await again.close()


async def test_latest_in(stores):
    await seed(stores, conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "bob")), ("c3", ("ann",))])
    await stores.messages.append(draft("a", "one", cid="c1"))
    last1, _ = await stores.messages.append(draft("b", "two", cid="c1"))
    last2, _ = await stores.messages.append(draft("c", "three", cid="c2"))
    gone = await stores.messages.delete(last2.id, at=clock.now())
    latest = await stores.messages.latest_in(["c1", "c2", "c3", "unknown", "c1"])
    assert latest == {"c1": last1, "c2": gone}
    assert await stores.messages.latest_in([]) == {}


async def test_search_returns_only_what_the_user_may_read(stores):
    await seed(
        stores,
        users=("ann", "bob", "eve"),
        conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "eve")), ("c3", ("eve",))],
    )
    s = stores.messages
    m1, _ = await s.append(draft("1", "the rocket launch is at noon", cid="c1"))
    m2, _ = await s.append(draft("2", "Rocket science, again", cid="c1", sender="bob"))
    await asyncio.sleep(0.003)  # newest first across conversations goes by time (ms)
    m3, _ = await s.append(draft("3", "rocket for ann and eve", cid="c2"))
    await s.append(draft("4", "eve's own rocket notes", cid="c3", sender="eve"))
    env = Envelope(alg="a", sender_device="d", nonce="n", ciphertext="rocket")
    await s.append(Draft(conversation_id="c1", sender_id="ann", client_id="5", kind="encrypted", envelope=env))

    assert [m.id for m in await s.search("bob", "rocket")] == [m2.id, m1.id]  # newest first
    assert {m.id for m in await s.search("ann", "ROCKET")} == {m1.id, m2.id, m3.id}
    assert [m.id for m in await s.search("ann", "rocket", conversation_id="c2")] == [m3.id]
    assert await s.search("bob", "rocket", conversation_id="c2") == []  # not a member there
    assert [m.id for m in await s.search("ann", "rocket", limit=1)] == [m3.id]
    assert [m.id for m in await s.search("ann", "rocket launch")] == [m1.id]  # terms are ANDed
    assert await s.search("ann", "rocket banana") == []
    # Membership is checked now: after leaving, nothing of c1 is found.
    await leave(stores, "c1", "bob")
    assert await s.search("bob", "rocket") == []
    # An edit re-indexes the body.
    await s.edit(m1.id, expected_version=1, at=clock.now(), body="the shuttle launch is at noon")
    assert [m.id for m in await s.search("ann", "shuttle")] == [m1.id]
    assert m1.id not in {m.id for m in await s.search("ann", "rocket")}


@pytest.mark.parametrize(
    "query",
    ['"', '""', "*", "rocket*", "NEAR", "NEAR(a b)", "a NEAR b", "-rocket", "rocket -noon", "(", "(rocket", "rocket)",
     "AND", "OR", "NOT", "rocket OR", "body:rocket", "^rocket", "{body}: x", "'; DROP TABLE messages; --", "\\",
     "+", "a:b:c", "r\u00f6cket", "🚀", "ü ä ö ß", "日本語", "   ", "\u200b", "%", "_"],
)
async def test_search_never_lets_query_syntax_through(stores, query):
    await seed(stores)
    await stores.messages.append(draft("1", "rocket launch at noon NEAR the pad"))
    found = await stores.messages.search("ann", query)
    assert all(m.conversation_id == "c1" for m in found)
    assert len((await stores.messages.history("c1")).items) == 1


async def test_search_matches_words_not_syntax(stores):
    await seed(stores)
    s = stores.messages
    near, _ = await s.append(draft("1", "meet NEAR the (old) station"))
    uni, _ = await s.append(draft("2", "Grüße aus Köln 🚀 日本語"))
    dash, _ = await s.append(draft("3", "hello world"))
    assert [m.id for m in await s.search("ann", "near")] == [near.id]
    assert [m.id for m in await s.search("ann", "(old)")] == [near.id]
    assert [m.id for m in await s.search("ann", '"station"')] == [near.id]
    assert [m.id for m in await s.search("ann", "Köln")] == [uni.id]
    assert [m.id for m in await s.search("ann", "grüße")] == [uni.id]
    assert [m.id for m in await s.search("ann", "日本語")] == [uni.id]
    # A minus is not negation: both words must be there.
    assert [m.id for m in await s.search("ann", "hello -world")] == [dash.id]
    assert await s.search("ann", "*") == []
    assert await s.search("ann", "hel*") == []  # no prefix syntax either


async def test_the_send_rules_are_checked_inside_the_atomic_step(stores):
    await seed(stores, users=("ann", "bob", "cy"), conversations=[("c1", ("ann", "bob")), ("c2", ("ann", "cy"))],
               direct=("c1",))
    first, _ = await stores.messages.append(draft("a"))
    m, _ = await stores.messages.append(draft("b", reply_to=first.id))
    assert m.reply_to == first.id and m.seq == 2
    with pytest.raises(ReplyElsewhere):  # first is a message of c1
        await stores.messages.append(draft("c", cid="c2", reply_to=first.id))
    # Not a member, or no such conversation; a refusal undoes the write.
    for cid, sender in (("c2", "bob"), ("missing", "ann")):
        with pytest.raises(NoConversation):
            await stores.messages.append(draft("d", cid=cid, sender=sender))
    assert await last_seq(stores, "c2") == 0
    await stores.conversations.update("c2", lambda conv, members: msgspec.structs.replace(conv, e2ee=True))
    with pytest.raises(EncryptionRequired):
        await stores.messages.append(draft("e2", cid="c2"))
    env = Envelope(alg="a", sender_device="d", nonce="n", ciphertext="x")
    sealed, _ = await stores.messages.append(
        Draft(conversation_id="c2", sender_id="ann", client_id="e3", kind="encrypted", envelope=env))
    assert sealed.seq == 1
    # Blocks count in direct conversations only, either way round.
    await block(stores, "bob", "ann")
    await block(stores, "ann", "cy")
    with pytest.raises(PeerBlocked) as refused:
        await stores.messages.append(draft("e"))
    assert refused.value.by_sender is False
    with pytest.raises(PeerBlocked) as refused:
        await stores.messages.append(draft("f", sender="bob"))
    assert refused.value.by_sender is True
    await stores.messages.append(Draft(conversation_id="c2", sender_id="ann", client_id="g", kind="encrypted",
                                       envelope=env))  # c2 is a group
    assert await last_seq(stores, "c1") == 2 and await last_seq(stores, "c2") == 2


async def block(stores, owner: str, user: str) -> None:
    at = clock.now()
    blocked = Contact(owner_id=owner, user_id=user, status="blocked", created_at=at, updated_at=at)
    await stores.contacts.change(owner, user, lambda pair: ContactPair(mine=blocked, theirs=pair.theirs))
