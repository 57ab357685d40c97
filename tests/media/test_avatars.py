"""Avatars reuse the image pipeline: set by upload only, a 256 px square
without metadata, public for people, members-only for groups."""

from __future__ import annotations

import io

from PIL import Image

from tests.api.message_helpers import CONV, group
from tests.conftest import register
from tests.media import samples


async def put_avatar(client, path: str, who, data: bytes, expect: int = 200) -> dict:
    r = await client.put(path, headers=who.headers, files={"file": ("me.jpg", data, "image/jpeg")})
    assert r.status_code == expect, r.text
    return r.json()


async def test_my_avatar(client, trio, config):
    me = await put_avatar(client, "/api/v1/me/avatar", trio.alice, samples.jpeg_with_gps(300, 200))
    assert me["avatar"]
    r = await client.get(f"/api/v1/users/{trio.alice.id}/avatar", headers=trio.eve.headers)  # anyone signed in
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(r.content)) as im:
        assert im.size == (256, 256) and not im.getexif().get_ifd(0x8825)
    assert b"SecretCam" not in r.content
    first = me["avatar"]
    me = await put_avatar(client, "/api/v1/me/avatar", trio.alice, samples.png())
    assert me["avatar"] != first
    stored = {p.name for p in (config.data_dir / "media" / "avatar").rglob("*") if p.is_file()}
    assert stored == {me["avatar"]}  # the replaced one is gone
    r = await client.delete("/api/v1/me/avatar", headers=trio.alice.headers)
    assert r.status_code == 200 and r.json()["avatar"] is None
    r = await client.get(f"/api/v1/users/{trio.alice.id}/avatar", headers=trio.bob.headers)
    assert r.status_code == 404 and r.json()["code"] == "avatar_not_found"


async def test_avatar_is_set_by_upload_only(client, trio):
    bobs = (await put_avatar(client, "/api/v1/me/avatar", trio.bob, samples.png()))["avatar"]
    r = await client.patch("/api/v1/me", headers=trio.alice.headers, json={"version": 1, "avatar": bobs})
    assert r.status_code == 400 and r.json()["code"] == "avatar_upload_required"
    r = await client.get("/api/v1/users/01NOSUCHUSER0000000000000A/avatar", headers=trio.alice.headers)
    assert r.status_code == 404


async def test_non_images_refused(client, trio):
    r = await client.put("/api/v1/me/avatar", headers=trio.alice.headers,
                         files={"file": ("x.svg", b"<svg onload=alert(1)>", "image/svg+xml")})
    assert r.status_code == 422 and r.json()["code"] == "not_an_image"
    r = await client.put("/api/v1/me/avatar", headers=trio.alice.headers,
                         files={"file": ("bomb.png", samples.png_bomb(), "image/png")})
    assert r.status_code == 422 and r.json()["code"] == "image_too_large"


async def test_group_avatar(client, trio):
    carol = await register(client, "carol")
    conv = await group(client, trio.alice, trio.bob)
    view = await put_avatar(client, f"{CONV}/{conv}/avatar", trio.alice, samples.png())
    assert view["avatar"] and view["version"] == 2
    r = await client.get(f"{CONV}/{conv}/avatar", headers=trio.bob.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    for who in (carol, trio.eve):
        r = await client.get(f"{CONV}/{conv}/avatar", headers=who.headers)
        assert r.status_code == 404 and r.json()["code"] == "conversation_not_found"
    r = await client.put(f"{CONV}/{conv}/avatar", headers=trio.bob.headers,
                         files={"file": ("g.png", samples.png(), "image/png")})
    assert r.status_code == 403 and r.json()["code"] == "not_admin"
    r = await client.put(f"{CONV}/{trio.conv}/avatar", headers=trio.alice.headers,
                         files={"file": ("g.png", samples.png(), "image/png")})
    assert r.status_code == 400, r.text  # a direct conversation shows the other person's avatar
    r = await client.delete(f"{CONV}/{conv}/avatar", headers=trio.alice.headers)
    assert r.status_code == 200 and r.json()["avatar"] is None
