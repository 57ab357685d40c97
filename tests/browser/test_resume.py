"""The socket after the page was frozen (a phone putting a tab to sleep):
messages sent meanwhile arrive once thawed, and when the network also went
away and came back during the freeze, the socket resumes from its cursor
with nothing lost and nothing doubled."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import direct, history, shot


async def send(person, cid: str, text: str) -> None:
    r = await person.http.post(f"/conversations/{cid}/messages", json={"client_id": re.sub(r"\W", "-", text), "body": text})
    assert r.status_code == 201, r.text


async def test_frozen_page_resumes_with_nothing_lost_or_doubled(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    await send(ben, cid, "before the freeze")
    page = await ann.open(browser, path=f"/c/{cid}")
    texts = page.locator(".msg .text")
    await expect(texts).to_have_text(["before the freeze"])
    await expect(page.locator(".banner")).to_have_count(0)
    cdp = await ann.context.new_cdp_session(page)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))

    # Frozen with the socket up: what came meanwhile shows once thawed.
    await cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    await send(ben, cid, "while frozen")
    await page.wait_for_timeout(500)
    await cdp.send("Page.setWebLifecycleState", {"state": "active"})
    await expect(texts).to_have_text(["before the freeze", "while frozen"])
    assert sockets == []  # the same socket carried it

    # Frozen, and the network goes and comes back before it thaws: the old
    # socket is dropped and a new one resumes with `since`.
    await cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    await send(ben, cid, "frozen and online")
    await ann.context.set_offline(True)
    await send(ben, cid, "frozen and offline")
    await page.wait_for_timeout(300)
    await ann.context.set_offline(False)
    await send(ben, cid, "back online, still frozen")
    await cdp.send("Page.setWebLifecycleState", {"state": "active"})
    expected = ["before the freeze", "while frozen", "frozen and online", "frozen and offline",
                "back online, still frozen"]
    await expect(texts).to_have_text(expected)
    assert len(sockets) == 1 and "since=" in sockets[0], sockets  # a new socket, resumed from the cursor
    await send(ben, cid, "after the thaw")  # live again
    await expect(texts).to_have_text([*expected, "after the thaw"])
    await page.wait_for_timeout(500)  # a late replay would double something now
    await expect(texts).to_have_text([*expected, "after the thaw"])
    assert [m["body"] for m in await history(ann, cid)] == [*expected, "after the thaw"]
    await shot(page, "resumed-after-freeze-desktop")
    # The sidebar counts nothing unread twice either (the conversation is open).
    await expect(page.locator(".conv .badge")).to_have_count(0)
