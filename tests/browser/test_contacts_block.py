"""Blocking and unblocking a contact from the Contacts page: while blocked,
the blocked person's direct messages are refused and their page shows why;
after unblocking, the retry goes through."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import direct, history, shot, stored


async def test_block_refuses_direct_messages_with_the_reason_and_unblock_lets_them_through(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    assert (await ben.http.post("/contacts", json={"user_id": ann.id})).status_code == 201
    assert (await ann.http.post("/contacts", json={"user_id": ben.id})).status_code == 200  # accepted
    cid = await direct(ann, ben)
    a = await ann.open(browser, path="/contacts")
    b = await ben.open(browser, path=f"/c/{cid}")

    contacts = a.get_by_role("heading", name="Contacts", exact=True, level=3)  # the accepted list
    await expect(contacts).to_be_visible()
    await a.locator(".person", has_text=f"@{ben.username}").get_by_role("button", name="Block").click()
    assert any("Block Ben Baker?" in d for d in ann.dialogs)
    await expect(a.get_by_role("heading", name="Blocked")).to_be_visible()
    blocked = a.locator(".person", has_text=f"@{ben.username}")
    await expect(blocked.get_by_role("button", name="Unblock")).to_be_visible()
    await shot(a, "contacts-blocked-desktop")

    box = b.get_by_role("textbox", name="Message")
    await box.fill("can you hear me?")
    await box.press("Enter")
    await expect(b.locator(".msg.failed .text")).to_have_text("can you hear me?")
    note = b.locator(".failed-note")
    await expect(note).to_contain_text("Not sent")
    await expect(note).to_contain_text("does not accept this from you")  # the server's reason
    await shot(b, "direct-refused-blocked-desktop")
    assert await history(ann, cid) == []

    await blocked.get_by_role("button", name="Unblock").click()
    await expect(a.get_by_role("heading", name="Blocked")).to_have_count(0)
    await b.get_by_role("button", name="Retry").click()
    await expect(b.locator(".msg.failed")).to_have_count(0)
    await expect(b.locator(".msg .text")).to_have_text(["can you hear me?"])
    assert [m["body"] for m in await stored(ann, cid, 1)] == ["can you hear me?"]
