"""The composer's draft is kept per conversation, in IndexedDB: it survives
switching conversations and a reload, and is gone once sent."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import direct, idb_until, shot, stored


async def test_draft_survives_switching_and_reload_and_goes_on_send(browser, people):
    ann, ben, cat = await people("ann"), await people("ben"), await people("cat")
    with_ben, with_cat = await direct(ann, ben), await direct(ann, cat)
    page = await ann.open(browser, path=f"/c/{with_ben}")
    box = page.get_by_role("textbox", name="Message")
    await box.fill("half a thought for ben")

    await page.get_by_role("link", name=cat.username).click()
    await expect(page).to_have_url(f"{ann.server.url}/c/{with_cat}")
    await expect(box).to_have_value("")  # drafts do not leak between conversations
    await page.get_by_role("link", name=ben.username).click()
    await expect(box).to_have_value("half a thought for ben")

    await idb_until(page, "drafts", "(entries, [id, text]) => entries.some(([k, v]) => k === id && v === text)",
                    [with_ben, "half a thought for ben"])
    await page.reload()
    await expect(box).to_have_value("half a thought for ben")
    await shot(page, "draft-after-reload")

    await box.press("Enter")
    await expect(box).to_have_value("")
    await expect(page.locator(".msg:not(.pending) .text").last).to_have_text("half a thought for ben")
    assert [m["body"] for m in await stored(ben, with_ben, 1)] == ["half a thought for ben"]
    await idb_until(page, "drafts", "(entries, id) => !entries.some(([k]) => k === id)", with_ben)  # sent: gone
    await page.reload()
    await expect(page.locator(".msg .text").last).to_have_text("half a thought for ben")
    await expect(box).to_have_value("")
