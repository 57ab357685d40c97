"""An audio attachment plays in the page's player: a real WAV made here,
sent through the API, played by the other person (play() resolves and
the playhead moves)."""

from __future__ import annotations

import io
import math
import struct
import wave

from playwright.async_api import expect

from tests.browser.conftest import direct, shot

RATE = 8000


def tone(seconds: float = 3.0, hz: float = 440.0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * n / RATE)))
                               for n in range(int(seconds * RATE))))
    return out.getvalue()


async def test_audio_attachment_plays_in_the_player(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    r = await ann.http.post(f"/conversations/{cid}/attachments", files={"file": ("hello.wav", tone(), "audio/wav")})
    assert r.status_code == 201, r.text
    r = await ann.http.post(f"/conversations/{cid}/messages",
                            json={"client_id": "tune", "body": "listen", "attachments": [r.json()["id"]]})
    assert r.status_code == 201, r.text

    page = await ben.open(browser, path=f"/c/{cid}")
    player = page.get_by_label("hello.wav")
    await expect(player).to_be_visible()
    await page.locator(".msg .text").click()  # a gesture on the page, as a person's would be
    played = await player.evaluate("""async (audio) => {
        await audio.play();
        const start = audio.currentTime;
        await new Promise((resolve) => setTimeout(resolve, 800));
        return { start, now: audio.currentTime, duration: audio.duration, paused: audio.paused };
    }""")
    assert not played["paused"]
    assert played["now"] > played["start"] + 0.3, played
    assert 2.9 < played["duration"] < 3.1, played
    await shot(page, "audio-playing-desktop")
