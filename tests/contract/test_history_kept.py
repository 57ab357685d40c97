"""SQL: the messages' JSON a history page keeps for the next
(chatd/storage/sql/message_json_kept.py) is served only while the database
still holds the version it was built from, in this process or another."""

from __future__ import annotations

import msgspec

from chatd import clock
from chatd.storage.sql.message_json_kept import KeptMessageJson
from tests.contract.test_messages import draft, seed
from tests.contract.two_processes import two_on_postgres  # noqa: F401 - a fixture
from tests.sql_handle import sql_db


async def _body_in_place(stores, seq: int, body: str, *, new_version: bool) -> None:
    """A row changed past the store (as no chatd code does): with or without the version raised."""
    bump = ", version = version + 1" if new_version else ""
    await sql_db(stores).write(lambda c: c.execute(
        f"UPDATE messages SET body = $1{bump} WHERE conversation_id = 'c1' AND seq = $2", body, seq))


async def test_a_page_read_again_comes_from_the_kept_json_while_its_version_stands(stores):
    await seed(stores)
    for i in range(5):
        await stores.messages.append(draft(f"k{i}", f"text {i}"))
    first = await stores.messages.history_json("bob", "c1")
    await _body_in_place(stores, 3, "changed past the store", new_version=False)
    # Kept: the same version stored, so the JSON built before is served.
    assert await stores.messages.history_json("bob", "c1") == first
    await _body_in_place(stores, 3, "changed with its version", new_version=True)
    page = msgspec.json.decode(await stores.messages.history_json("bob", "c1"))
    assert [m["body"] for m in page["items"]] == ["text 0", "text 1", "changed with its version", "text 3", "text 4"]
    assert page["items"][2]["version"] == 2
    # Still only for members: the kept JSON does not answer a non-member, whichever way the page is read.
    for kw in ({}, {"before_seq": 4}, {"before_seq": 5}, {"after_seq": 0}, {"after_seq": 3}):
        assert await stores.messages.history_json("eve", "c1", **kw) is None, kw


async def test_a_page_mixes_kept_and_new_messages_in_order(stores):
    """The newest page after new sends: the kept ones and the new ones, in
    seq order, has_more right, on both directions."""
    await seed(stores)
    for i in range(4):
        await stores.messages.append(draft(f"k{i}", f"text {i}"))
    await stores.messages.history_json("bob", "c1", limit=3)
    await stores.messages.history_json("bob", "c1", after_seq=0, limit=2)
    for i in range(4, 7):
        await stores.messages.append(draft(f"k{i}", f"text {i}"))
    for kw in ({"limit": 5}, {"after_seq": 0, "limit": 5}, {"before_seq": 6, "limit": 4}, {}):
        expected = msgspec.json.encode(await stores.messages.history("c1", **kw))
        assert await stores.messages.history_json("bob", "c1", **kw) == expected, kw


async def test_stays_within_its_bytes(stores):
    """A small bound: pages keep being right while the oldest JSON goes."""
    stores.messages.kept = kept = KeptMessageJson(limit=2_000)
    await seed(stores)
    for i in range(40):
        await stores.messages.append(draft(f"k{i}", f"text {i}"))
    for before in (41, 21, 41, 11):
        expected = msgspec.json.encode(await stores.messages.history("c1", before_seq=before, limit=10))
        assert await stores.messages.history_json("bob", "c1", before_seq=before, limit=10) == expected
        assert kept.size <= 2_000
    assert 0 < len(kept) < 10


async def test_another_process_changes_show_at_once(two_on_postgres):
    """Process a has the page's JSON kept; b edits, reacts and deletes: a's
    next read shows each change, with nothing to tell a."""
    a, b = two_on_postgres
    await seed(a)
    ids = [(await a.messages.append(draft(f"k{i}", f"text {i}")))[0].id for i in range(3)]
    await a.messages.history_json("bob", "c1")
    changes = [
        lambda: b.messages.edit(ids[0], expected_version=1, at=clock.now(), body="edited in b"),
        lambda: b.messages.react(ids[1], user_id="bob", emoji="👍", add=True, max_distinct=50),
        lambda: b.messages.delete(ids[2], at=clock.now()),
    ]
    for change in changes:
        await change()
        assert await a.messages.history_json("bob", "c1") == msgspec.json.encode(await b.messages.history("c1"))
