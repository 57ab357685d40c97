"""Rotating media.encryption_key (ASVS 6.4.1) with files present, on the
folder store and on S3 (SeaweedFS): the old key moves to
media.previous_encryption_keys and old files still open (whole and in
ranges, thumbnails too), new ones are sealed with the new key; `chatd media
reseal` moves every blob to the new key, after which the old one can go; a
file deleted while it runs stays deleted; a file no configured key opens is
the usual 404 problem and one log line naming it, never a 500."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import shutil
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from chatd import clock
from chatd.app import create_app
from chatd.commands import media_reseal
from chatd.services.media.reseal import reseal
from chatd.storage.blobs.sealed import HEADER, KEY_ID, MAGIC, key_id
from tests.api.account_helpers import in_app
from tests.api.message_helpers import MSG, direct, send
from tests.conftest import Account, make_config, register
from tests.media import samples
from tests.media.test_avatars import put_avatar
from tests.media.helpers import fetch, upload


def keygen() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(params=["folder", "s3"])
def configure(request, tmp_path, sqlite_template):
    """make(media keys...) -> a config on one database and one media store."""
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    base = request.getfixturevalue("s3_media_settings") if request.param == "s3" else {}

    def make(key: str, previous: list[str] | None = None, **media):
        sections = {**base, "media": {**base.get("media", {}), "encryption_key": key,
                                      "previous_encryption_keys": previous or [], **media}}
        return make_config(tmp_path, **sections)

    return make


async def login(c: AsyncTestClient, name: str) -> Account:
    r = await c.post("/api/v1/auth/login", json={"username": name, "password": "correct horse battery"})
    assert r.status_code == 200, r.text
    return Account(r.json()["user"], r.json()["token"])


def runtime(c: AsyncTestClient):
    return c.app.state.runtime


async def header_key_id(c: AsyncTestClient, storage_key: str) -> bytes:
    inner = runtime(c).stores.blobs

    async def head() -> bytes:
        return b"".join([piece async for piece in await inner.open(storage_key, 0, HEADER)])

    header = await in_app(c, head)
    assert header[:len(MAGIC)] == MAGIC and header[len(MAGIC)] == 3  # an envelope: its wrapped data key names the master key
    return header[len(MAGIC) + 1:len(MAGIC) + 1 + KEY_ID]


async def storage_key(c: AsyncTestClient, attachment_id: str) -> str:
    found = await in_app(c, runtime(c).stores.attachments.get, attachment_id)
    return found.storage_key


async def reads_back(c, who, att_id: str, data: bytes) -> None:
    assert (await fetch(c, att_id, who)).content == data
    cut = 64 * 1024  # a range over a chunk boundary, and one inside a later chunk
    assert (await fetch(c, att_id, who, 206, range=f"bytes={cut - 10}-{cut + 9}")).content == data[cut - 10:cut + 10]
    assert (await fetch(c, att_id, who, 206, range="bytes=200000-200099")).content == data[200000:200100]
    assert (await fetch(c, att_id, who, 206, range="bytes=-7")).content == data[-7:]


async def test_rotate_reseal_and_drop_the_old_key(configure, capsys):
    old, new = keygen(), keygen()
    files = {}
    async with AsyncTestClient(create_app(configure(old))) as c:
        alice, bob = await register(c, "alice"), await register(c, "bob")
        conv = await direct(c, alice, bob)
        data = os.urandom(300_000)
        old_att = await upload(c, conv, alice, data, filename="old.bin")
        photo = await upload(c, conv, alice, samples.jpeg_with_gps(), filename="p.jpg")
        await send(c, conv, alice, attachments=[old_att["id"], photo["id"]])
        files[old_att["id"]] = data
        doomed = [await upload(c, conv, alice, os.urandom(1000 + i), filename=f"d{i}.bin") for i in range(4)]
        sent = []
        for d in doomed:
            await send(c, conv, alice, attachments=[d["id"]])
            sent.append((await c.get(f"/api/v1/conversations/{conv}/messages",
                                     headers=alice.headers)).json()["items"][-1]["id"])
        thumb = (await fetch(c, photo["id"], bob, suffix="/thumbnail")).content
        await put_avatar(c, "/api/v1/me/avatar", alice, samples.jpeg_with_gps(300, 200))
        avatar = (await c.get(f"/api/v1/users/{alice.id}/avatar", headers=bob.headers)).content

    alice_id = alice.id
    rotated = configure(new, [old])
    async with AsyncTestClient(create_app(rotated)) as c:
        alice, bob = await login(c, "alice"), await login(c, "bob")

        # The old key's files open, whole and in ranges; the thumbnail too.
        await reads_back(c, bob, old_att["id"], data)
        assert (await fetch(c, photo["id"], bob, suffix="/thumbnail")).content == thumb
        old_id, new_id = key_id(base64.b64decode(old)), key_id(base64.b64decode(new))
        assert await header_key_id(c, await storage_key(c, old_att["id"])) == old_id

        # New files: the new key.
        fresh = os.urandom(250_000)
        new_att = await upload(c, conv, alice, fresh, filename="new.bin")
        await send(c, conv, alice, attachments=[new_att["id"]])
        assert await header_key_id(c, await storage_key(c, new_att["id"])) == new_id
        await reads_back(c, bob, new_att["id"], fresh)
        files[new_att["id"]] = fresh

        # Reseal beside the running server, one blob per step; after the first
        # step a user deletes a file not resealed yet and the janitor removes
        # its bytes: the reseal must not bring them back.
        stores = runtime(c).stores
        deleted: list[str] = []

        async def between(done) -> None:
            if deleted:
                return
            for d, message in zip(doomed, sent):
                key = (await stores.attachments.get(d["id"])).storage_key
                if not await stores.sealed_blobs.sealed_with_current(key):
                    deleted.append(key)
                    await runtime(c).services.messages.delete(alice.id, message)
                    swept = await runtime(c).services.media_janitor.run_once(clock.now() + timedelta(hours=2))
                    assert swept.attachments == 1
                    return

        done = await in_app(c, lambda: reseal(stores.sealed_blobs, stores.attachments, batch=1, progress=between))
        assert deleted, "the deletion happened before the reseal reached the file"
        # The old file, the photo, its thumbnail, the 3 files kept and the
        # avatar; the new file was current already.
        assert done.resealed == 7 and done.current == 1 and done.unreadable == [], done
        assert await in_app(c, stores.blobs.stat, deleted[0]) is None
        assert await header_key_id(c, await storage_key(c, old_att["id"])) == new_id
        await reads_back(c, bob, old_att["id"], data)

        # The command, run again: nothing left to move; exit 0 and says the previous keys can go.
        assert await asyncio.to_thread(media_reseal.run, rotated, 2) == 0
        said = capsys.readouterr().out
        assert "media: 0 blob(s) sealed again" in said and "previous_encryption_keys can be emptied" in said, said

    async with AsyncTestClient(create_app(configure(new))) as c:  # the old key gone
        bob = await login(c, "bob")
        for att_id, content in files.items():
            await reads_back(c, bob, att_id, content)
        assert (await fetch(c, photo["id"], bob, suffix="/thumbnail")).content == thumb
        r = await c.get(f"/api/v1/users/{alice_id}/avatar", headers=bob.headers)
        assert r.status_code == 200 and r.content == avatar
        assert await in_app(c, runtime(c).stores.blobs.stat, deleted[0]) is None


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_a_file_no_configured_key_opens_is_a_404_and_a_log_line(configure):
    old, new = keygen(), keygen()
    async with AsyncTestClient(create_app(configure(old))) as c:
        alice, bob = await register(c, "alice"), await register(c, "bob")
        conv = await direct(c, alice, bob)
        att = await upload(c, conv, alice, os.urandom(100_000))
        await send(c, conv, alice, attachments=[att["id"]])
    async with AsyncTestClient(create_app(configure(new))) as c:  # the old key dropped without a reseal
        bob = await login(c, "bob")
        seen = Lines()  # added after the start, which sets logging up afresh
        logging.getLogger("chatd.media").addHandler(seen)
        try:
            r = await fetch(c, att["id"], bob, 404)
            assert r.json()["code"] == "attachment_missing"
            await fetch(c, att["id"], bob, 404, range="bytes=70000-70010")
        finally:
            logging.getLogger("chatd.media").removeHandler(seen)
        key = await storage_key(c, att["id"])
        assert len(seen.lines) == 2 and all(key in line and "previous_encryption_keys" in line
                                            for line in seen.lines), seen.lines
        # The command leaves it as it is and says so, exit 1.
        assert await asyncio.to_thread(media_reseal.run, configure(new), 10) == 1
