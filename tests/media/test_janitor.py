"""The media janitor: unsent uploads, deleted messages' files, retention,
orphan blobs and interrupted writes go; nothing else does."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from chatd import clock
from chatd.ids import encode
from tests.api.account_helpers import in_app
from tests.api.message_helpers import MSG, send
from tests.media.helpers import fetch, upload


class _janitor:
    """The app's janitor, run on the app's own loop."""

    def __init__(self, client):
        self.client = client

    async def run_once(self, now=None):
        return await in_app(self.client, self.client.app.state.runtime.services.media_janitor.run_once, now)


def _blobs(config) -> set[str]:
    root = config.data_dir / "media"
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".partial" not in p.parts}


async def test_unsent_uploads_go_after_unbound_hours(client, trio, config):
    config.media.unbound_hours = 2
    kept = await upload(client, trio.conv, trio.alice, b"sent one")
    await send(client, trio.conv, trio.alice, attachments=[kept["id"]])
    dropped = await upload(client, trio.conv, trio.alice, b"never sent")
    soon = await _janitor(client).run_once(clock.now() + timedelta(hours=1))
    assert soon.attachments == 0
    swept = await _janitor(client).run_once(clock.now() + timedelta(hours=3))
    assert (swept.attachments, swept.bytes) == (1, len(b"never sent"))
    await fetch(client, dropped["id"], trio.alice, 404)
    assert (await fetch(client, kept["id"], trio.bob)).content == b"sent one"
    assert _blobs(config) == {f"att/{kept['id'][-2:]}/{kept['id']}"}


async def test_deleted_messages_lose_their_bytes_after_the_grace(client, trio, config):
    config.media.deleted_grace_minutes = 30
    from tests.media.samples import png

    att = await upload(client, trio.conv, trio.alice, png(), filename="p.png")
    sent = await send(client, trio.conv, trio.alice, attachments=[att["id"]])
    await client.delete(f"{MSG}/{sent['id']}", headers=trio.alice.headers)
    assert len(_blobs(config)) == 2  # the image and its thumbnail wait out the grace
    assert (await _janitor(client).run_once(clock.now() + timedelta(minutes=10))).attachments == 0
    swept = await _janitor(client).run_once(clock.now() + timedelta(minutes=31))
    assert swept.attachments == 1
    assert _blobs(config) == set()


async def test_retention(client, trio, config):
    att = await upload(client, trio.conv, trio.alice, b"old news")
    await send(client, trio.conv, trio.alice, attachments=[att["id"]])
    assert (await _janitor(client).run_once(clock.now() + timedelta(days=400))).attachments == 0  # off by default
    config.media.retention_days = 365
    assert (await _janitor(client).run_once(clock.now() + timedelta(days=300))).attachments == 0
    assert (await _janitor(client).run_once(clock.now() + timedelta(days=366))).attachments == 1
    await fetch(client, att["id"], trio.bob, 404)


async def test_orphans_and_partials_are_swept(client, trio, config):
    """What a crash between storing bytes and recording them leaves behind."""
    kept = await upload(client, trio.conv, trio.alice, b"recorded")
    root = config.data_dir / "media"
    old_id = encode(((int(time.time() * 1000) - 2 * 3600 * 1000) << 80) | 12345)
    young_id = encode((int(time.time() * 1000) << 80) | 6789)
    for orphan in (old_id, young_id):
        path = root / "att" / orphan[-2:] / orphan
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"no row knows me")
    partial = root / ".partial" / "dead.part"
    partial.write_bytes(b"half an upload")
    past = time.time() - 2 * 3600
    os.utime(partial, (past, past))
    swept = await _janitor(client).run_once()
    assert (swept.orphans, swept.partials) == (1, 1)
    assert _blobs(config) == {f"att/{kept['id'][-2:]}/{kept['id']}", f"att/{young_id[-2:]}/{young_id}"}
    assert not partial.exists()


async def test_avatars_nobody_shows_are_swept(client, trio, config):
    from tests.media.samples import png

    r = await client.put("/api/v1/me/avatar", headers=trio.alice.headers, files={"file": ("a.png", png(), "image/png")})
    user = r.json()
    r = await client.put("/api/v1/me/avatar", headers=trio.bob.headers, files={"file": ("b.png", png(), "image/png")})
    r = await client.patch("/api/v1/me", headers=trio.alice.headers, json={"version": user["version"], "avatar": None})
    assert r.status_code == 200 and r.json()["avatar"] is None
    assert len([p for p in (config.data_dir / "media" / "avatar").rglob("*") if p.is_file()]) == 2
    assert (await _janitor(client).run_once()).orphans == 0  # too young to be sure
    swept = await _janitor(client).run_once(clock.now() + timedelta(hours=2))
    assert swept.orphans == 1
    left = [p.name for p in (config.data_dir / "media" / "avatar").rglob("*") if p.is_file()]
    assert len(left) == 1 and (await client.get(f"/api/v1/users/{trio.bob.id}/avatar",
                                                headers=trio.alice.headers)).status_code == 200
