"""A video sent in a chat can be scrubbed: the browser jumps to a point far
into it with Range requests (206), without fetching the whole file first."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import direct, shot
from tests.conftest import need_server

SECONDS = 30


def make_video(folder: Path) -> bytes:
    """A 30 s WebM (VP8) of ffmpeg's test pattern, ~7 MB: too big to take in one gulp."""
    try:
        import imageio_ffmpeg

        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as err:
        need_server("ffmpeg (pip install -e '.[test]' installs imageio-ffmpeg)", err)
    out = folder / "pattern.webm"
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"testsrc=duration={SECONDS}:size=640x360:rate=25", "-c:v", "libvpx", "-b:v", "2M",
                    "-deadline", "realtime", "-cpu-used", "8", str(out)], check=True, timeout=120)
    return out.read_bytes()


@pytest.mark.timeout(180)
async def test_a_video_can_be_scrubbed(browser, people, tmp_path):
    ann, ben = await people("ann", "Ann Archer"), await people("ben", "Ben Baker")
    cid = await direct(ann, ben)
    video = make_video(tmp_path)
    r = await ann.http.post(f"/conversations/{cid}/attachments", files={"file": ("hike.webm", video, "video/mp4")})
    assert r.status_code == 201, r.text
    att = r.json()
    assert att["content_type"] == "video/webm"
    r = await ann.http.post(f"/conversations/{cid}/messages", json={"client_id": "v1", "attachments": [att["id"]]})
    assert r.status_code == 201, r.text

    page = await ben.open(browser, path=f"/c/{cid}")
    fetched: list[tuple[int, str | None, int]] = []
    page.on("response", lambda resp: fetched.append(
        (resp.status, resp.request.headers.get("range"), int(resp.headers.get("content-length", "0"))))
        if f"/attachments/{att['id']}" in resp.url else None)
    player = page.locator("video")
    await expect(player).to_have_count(1)
    await player.evaluate("v => new Promise(ok => v.readyState >= 1 ? ok() : v.addEventListener('loadedmetadata', ok))")
    assert abs(await player.evaluate("v => v.duration") - SECONDS) < 1
    position = await player.evaluate("""v => new Promise((ok, fail) => {
        v.addEventListener('seeked', () => ok(v.currentTime), { once: true });
        v.addEventListener('error', () => fail(v.error && v.error.message), { once: true });
        v.currentTime = 25;
    })""")
    assert abs(position - 25) < 0.5
    await player.evaluate("v => new Promise(ok => v.readyState >= 2 ? ok() : v.addEventListener('loadeddata', ok))")
    await shot(page, "video-scrubbed-desktop")
    partial = [f for f in fetched if f[0] == 206]
    assert partial, f"no Range request was answered with 206: {fetched}"
    assert all(f[1] is not None for f in partial)
    assert all(f[0] in (200, 206) for f in fetched), fetched  # nothing asked that is not there (a thumbnail)
