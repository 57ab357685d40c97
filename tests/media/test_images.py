"""Images: metadata stripped, thumbnails, dimensions, bombs and broken files."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from tests.media import samples
from tests.media.helpers import fetch, upload


def _files(config) -> list:
    return [p for p in (config.data_dir / "media").rglob("*") if p.is_file()]


async def test_exif_gps_is_gone_and_orientation_kept(client, trio):
    original = samples.jpeg_with_gps(64, 32, orientation=6)
    att = await upload(client, trio.conv, trio.alice, original, filename="holiday.jpg", content_type="image/jpeg")
    assert att["content_type"] == "image/jpeg"
    assert (att["width"], att["height"]) == (32, 64)  # turned a quarter by its orientation
    assert att["thumbnail"] is True
    stored = (await fetch(client, att["id"], trio.alice)).content
    assert samples.gps_of(stored) == {}
    assert samples.exif_of(stored) == {0x0112: 6}
    assert att["sha256"] == hashlib.sha256(stored).hexdigest() and att["size"] == len(stored)
    r = await fetch(client, att["id"], trio.alice)
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["content-disposition"].startswith("inline;")


async def test_exif_kept_when_configured(client, trio, config):
    config.media.strip_metadata = False
    original = samples.jpeg_with_gps()
    att = await upload(client, trio.conv, trio.alice, original, filename="raw.jpg")
    assert (await fetch(client, att["id"], trio.alice)).content == original


async def test_thumbnail_is_a_small_webp(client, trio):
    big = io.BytesIO()
    Image.new("RGB", (1600, 900), (0, 128, 0)).save(big, "PNG")
    att = await upload(client, trio.conv, trio.alice, big.getvalue(), filename="wide.png")
    assert (att["width"], att["height"]) == (1600, 900)
    r = await fetch(client, att["id"], trio.alice, suffix="/thumbnail")
    assert r.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(r.content)) as thumb:
        assert thumb.format == "WEBP" and max(thumb.size) == 320 and thumb.size == (320, 180)
    assert r.headers["etag"] != (await fetch(client, att["id"], trio.alice)).headers["etag"]


async def test_non_images_have_no_thumbnail(client, trio):
    att = await upload(client, trio.conv, trio.alice, b"%PDF-1.4 not really", filename="doc.pdf")
    assert att["content_type"] == "application/pdf" and att["thumbnail"] is False and att["width"] is None
    r = await fetch(client, att["id"], trio.alice, 404, suffix="/thumbnail")
    assert r.json()["code"] == "no_thumbnail"
    assert (await fetch(client, att["id"], trio.alice)).headers["content-disposition"].startswith("inline;")


@pytest.mark.parametrize("data, name", [
    (b"<html><body><script>alert(document.cookie)</script></body></html>", "cute.png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>', "logo.svg"),
    (b"<!DOCTYPE html><p>hi", "photo.jpg"),
])
async def test_disguised_markup_is_never_inline(client, trio, data, name):
    att = await upload(client, trio.conv, trio.alice, data, filename=name, content_type="image/png")
    assert att["content_type"] in ("text/html", "image/svg+xml")
    r = await fetch(client, att["id"], trio.alice)
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.content == data


async def test_decompression_bomb_refused_and_nothing_kept(client, trio, config):
    r = await client.post(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.alice.headers,
                          files={"file": ("bomb.png", samples.png_bomb(), "image/png")})
    assert r.status_code == 422 and r.json()["code"] == "image_too_large"
    assert _files(config) == []


@pytest.mark.parametrize("data", [
    samples.jpeg_with_gps()[:300],  # cut short
    b"\xff\xd8\xff\xe0" + b"\x00" * 200,  # a JPEG start and then nothing sensible
    samples.png()[:60],
])
async def test_truncated_or_corrupt_images_refused(client, trio, config, data):
    r = await client.post(f"/api/v1/conversations/{trio.conv}/attachments", headers=trio.alice.headers,
                          files={"file": ("broken.jpg", data, "image/jpeg")})
    assert r.status_code == 422 and r.json()["code"] == "image_corrupt", r.text
    assert _files(config) == []


async def test_gif_and_transparent_png(client, trio):
    gif = io.BytesIO()
    frames = [Image.new("P", (30, 20), i) for i in range(3)]
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], loop=0)
    att = await upload(client, trio.conv, trio.alice, gif.getvalue(), filename="anim.gif")
    assert att["content_type"] == "image/gif" and att["thumbnail"] and (att["width"], att["height"]) == (30, 20)
    assert (await fetch(client, att["id"], trio.alice)).content == gif.getvalue()
    att = await upload(client, trio.conv, trio.alice, samples.png(), filename="alpha.png")
    thumb = (await fetch(client, att["id"], trio.alice, suffix="/thumbnail")).content
    assert Image.open(io.BytesIO(thumb)).mode == "RGBA"
