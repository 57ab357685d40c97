"""A long conversation stays light: only a window of rows is in the page,
scrolling up walks back through history page by page to the first message,
and scrolling down comes back to the newest."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from tests.browser.conftest import direct

COUNT = 600
WINDOW = 80  # static/app/views/MessageList.js


async def test_scrolling_back_through_history_renders_only_a_window(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    for start in range(0, COUNT, 50):
        answers = await asyncio.gather(*(
            ben.http.post(f"/conversations/{cid}/messages", json={"client_id": f"h{n}", "body": f"message {n}"})
            for n in range(start + 1, start + 51)))
        assert all(r.status_code == 201 for r in answers)
    page = await ann.open(browser, path=f"/c/{cid}")
    log = page.locator(".messages")
    rows = log.locator(".row")
    await expect(rows.last).to_be_visible()
    newest = await log.locator(".text").last.inner_text()

    seen_rows = []
    for _ in range(80):
        if await page.get_by_text("This is the beginning of the conversation.").count():
            break
        await page.mouse.move(800, 300)
        await page.mouse.wheel(0, -5000)
        await page.wait_for_timeout(60)
        seen_rows.append(await rows.count())
    await expect(page.get_by_text("This is the beginning of the conversation.")).to_be_visible()
    assert max(seen_rows) <= WINDOW, seen_rows
    texts = await log.locator(".text").all_inner_texts()
    # The messages were sent concurrently, so the order is the server's seq order.
    ordered = [m["body"] for m in (await ben.http.get(f"/conversations/{cid}/messages",
                                                      params={"limit": 5, "after_seq": 0})).json()["items"]]
    assert texts[:5] == ordered

    for _ in range(80):
        await page.mouse.wheel(0, 5000)
        await page.wait_for_timeout(40)
        assert await rows.count() <= WINDOW
        if await log.locator(".text").last.inner_text() == newest:
            break
    assert await log.locator(".text").last.inner_text() == newest
