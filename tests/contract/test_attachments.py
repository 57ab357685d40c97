"""AttachmentStore contract, on SQLite and PostgreSQL: rows, visibility of a
deleted message's files, quota usage, expiry taken atomically, stats."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from chatd import clock
from chatd.domain import Attachment
from chatd.ids import new_id
from chatd.storage.ports.messages import Draft
from tests.contract.test_messages import seed


@pytest.fixture
def stores(message_stores):
    """Every adapter of the conversation side (tests/conftest.py MESSAGE_ADAPTERS)."""
    return message_stores

T0 = clock.now()


def attachment(uploader="ann", conversation="c1", size=10, content_type="text/plain", at=T0) -> Attachment:
    return Attachment(id=new_id(), uploader_id=uploader, conversation_id=conversation, filename="f.txt",
                      content_type=content_type, size=size, sha256="ab" * 32, created_at=at)


async def sent_with(stores, *atts: Attachment, client_id: str = "m1", sender="ann"):
    message, _ = await stores.messages.append(Draft(conversation_id="c1", sender_id=sender, client_id=client_id,
                                                    body="x", attachments=[a.id for a in atts]))
    return message


async def test_add_get_and_listing(stores):
    await seed(stores)
    a = attachment(content_type="image/png")
    a.width, a.height, a.thumbnail = 30, 20, True
    await stores.attachments.add(a, "att/xx/key")
    got = await stores.attachments.get(a.id)
    assert got.attachment == a and got.storage_key == "att/xx/key" and got.message_deleted_at is None
    assert await stores.attachments.get("nope") is None
    assert await stores.attachments.of_conversation("c1") == []  # not sent yet
    message = await sent_with(stores, a)
    listed = await stores.attachments.of_conversation("c1")
    assert [x.id for x in listed] == [a.id] and listed[0].message_id == message.id
    assert await stores.attachments.of_conversation("c1", ids=[a.id, "other"]) == listed
    assert await stores.attachments.of_conversation("c1", before=a.id) == []
    await stores.messages.delete(message.id, at=clock.now())
    assert (await stores.attachments.get(a.id)).message_deleted_at is not None
    assert await stores.attachments.of_conversation("c1") == []


async def test_listing_pages_newest_first(stores):
    await seed(stores)
    atts = [attachment() for _ in range(5)]
    for i, a in enumerate(atts):
        await stores.attachments.add(a, f"k{i}")
        await sent_with(stores, a, client_id=f"m{i}")
    newest_first = sorted((a.id for a in atts), reverse=True)  # ids sort by time (ULIDs)
    first = await stores.attachments.of_conversation("c1", limit=2)
    assert [a.id for a in first] == newest_first[:2]
    rest = await stores.attachments.of_conversation("c1", before=first[-1].id, limit=10)
    assert [a.id for a in rest] == newest_first[2:]


async def test_usage_counts_the_uploaders_bytes(stores):
    await seed(stores)
    for size, who in ((100, "ann"), (50, "ann"), (7, "bob")):
        await stores.attachments.add(attachment(uploader=who, size=size), new_id())
    assert await stores.attachments.usage("ann") == 150
    assert await stores.attachments.usage("bob") == 7
    assert await stores.attachments.usage("nobody") == 0


async def test_take_expired(stores):
    await seed(stores)
    old, young = T0 - timedelta(hours=5), T0
    unbound_old, unbound_young = attachment(at=old), attachment(at=young)
    sent_old, of_deleted = attachment(at=old, size=3), attachment(at=young, size=4)
    for a in (unbound_old, unbound_young, sent_old, of_deleted):
        await stores.attachments.add(a, "key-" + a.id)
    await sent_with(stores, sent_old, client_id="keep")
    doomed = await sent_with(stores, of_deleted, client_id="doomed")
    await stores.messages.delete(doomed.id, at=T0)

    def window(**kw):
        base = dict(unbound_before=T0 - timedelta(hours=1), deleted_before=T0 - timedelta(minutes=1),
                    created_before=None, limit=100)
        return {**base, **kw}

    taken = await stores.attachments.take_expired(**window())
    assert [t.id for t in taken] == [unbound_old.id]
    assert taken[0].storage_key == "key-" + unbound_old.id and taken[0].size == 10
    assert await stores.attachments.take_expired(**window()) == []  # gone: taken once
    taken = await stores.attachments.take_expired(**window(deleted_before=T0 + timedelta(minutes=1)))
    assert [t.id for t in taken] == [of_deleted.id]
    taken = await stores.attachments.take_expired(**window(created_before=T0 - timedelta(hours=1)))
    assert [t.id for t in taken] == [sent_old.id]
    assert await stores.attachments.known([unbound_young.id, unbound_old.id, "x"]) == {unbound_young.id}


async def test_take_expired_never_takes_an_upload_being_sent(stores):
    """A send binding an old upload and the janitor racing for it: the upload
    ends up either sent (and kept) or taken (and the send refused), never both."""
    await seed(stores)
    for round_ in range(20):
        a = attachment(at=T0 - timedelta(hours=5))
        await stores.attachments.add(a, "k" + a.id)
        send = asyncio.ensure_future(sent_with(stores, a, client_id=f"race{round_}"))
        take = asyncio.ensure_future(stores.attachments.take_expired(
            unbound_before=T0, deleted_before=T0, created_before=None, limit=10))
        results = await asyncio.gather(send, take, return_exceptions=True)
        sent_ok = not isinstance(results[0], Exception)
        taken_ids = [t.id for t in results[1]]
        assert sent_ok != (a.id in taken_ids), results
        if sent_ok:
            assert (await stores.attachments.get(a.id)).attachment.message_id == results[0].id


async def test_stats(stores):
    await seed(stores)
    image = attachment(size=100, content_type="image/png")
    await stores.attachments.add(image, "k1")
    await stores.attachments.add(attachment(size=5), "k2")
    await sent_with(stores, image)
    stats = await stores.attachments.stats()
    assert (stats.count, stats.bytes, stats.unbound_count, stats.unbound_bytes) == (2, 105, 1, 5)
    assert stats.by_type == {"image/png": 100, "text/plain": 5}
