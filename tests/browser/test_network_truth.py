"""What the server says wins: an edit made on an old version gets 409 and
the user sees the current text and can redo theirs; a send the server
refuses is rolled back with its reason, and can be retried or discarded."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import MAX_CHARS, direct, history, shot, stored


async def test_edit_conflict_shows_current_text_and_redo(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    r = await ann.http.post(f"/conversations/{cid}/messages", json={"client_id": "e1", "body": "meet at 10"})
    message = r.json()
    page = await ann.open(browser, path=f"/c/{cid}")
    row = page.locator(".msg.mine")
    await expect(row.locator(".text")).to_have_text("meet at 10")
    await row.hover()
    await row.get_by_role("button", name="Edit message").click()
    editor = page.get_by_role("textbox", name="Edit message")
    await expect(editor).to_be_focused()

    # Meanwhile Ann's phone edits the same message.
    r = await ann.http.patch(f"/messages/{message['id']}", json={"body": "meet at 11", "version": message["version"]})
    assert r.status_code == 200

    await editor.fill("meet at 10:30")
    await editor.press("Enter")
    dialog = page.get_by_role("alertdialog")
    await expect(dialog).to_contain_text("This message changed while you were editing")
    await expect(dialog.locator(".current-text")).to_have_text("meet at 11")
    await expect(dialog.locator(".my-text")).to_have_text("meet at 10:30")
    await shot(page, "edit-conflict-desktop")
    await dialog.get_by_role("button", name="Redo my edit").click()
    editor = page.get_by_role("textbox", name="Edit message")
    await expect(editor).to_have_value("meet at 10:30")
    await editor.press("Enter")
    await expect(row.locator(".text")).to_have_text("meet at 10:30")
    await expect(row.locator(".meta")).to_contain_text("edited")
    [saved] = await stored(ben, cid, 1, until=lambda items: items[0]["version"] == 3)
    assert saved["body"] == "meet at 10:30" and saved["version"] == 3


async def test_refused_send_is_rolled_back_with_reason_then_retry_or_discard(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    page = await ann.open(browser, path=f"/c/{cid}")
    box = page.get_by_role("textbox", name="Message")
    await box.fill("x" * (MAX_CHARS + 1))
    await box.press("Enter")
    failed = page.locator(".msg.failed")
    await expect(failed).to_have_count(1)
    await expect(page.locator(".failed-note")).to_contain_text("Not sent")
    await expect(page.locator(".failed-note")).to_contain_text(str(MAX_CHARS))
    await page.get_by_role("button", name="Retry").click()  # refused again, still shown as failed
    await expect(failed).to_have_count(1)
    await page.get_by_role("button", name="Discard").click()
    await expect(page.locator(".msg")).to_have_count(0)
    assert await history(ben, cid) == []

    # Blocked: the server refuses sends in a direct conversation with someone who blocked you.
    r = await ben.http.post(f"/contacts/{ann.id}/block")
    assert r.status_code == 200
    await box.fill("are you there?")
    await box.press("Enter")
    await expect(page.locator(".failed-note")).to_contain_text("Not sent")
    await shot(page, "refused-send-desktop")
    await page.reload()  # the failed send is kept until discarded
    await expect(page.locator(".msg.failed .text")).to_have_text("are you there?")
    assert await history(ben, cid) == []


async def test_delete_own_message_for_everyone(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    await ann.http.post(f"/conversations/{cid}/messages", json={"client_id": "d1", "body": "oops, wrong chat"})
    page = await ann.open(browser, path=f"/c/{cid}")
    other = await ben.open(browser, path=f"/c/{cid}")
    await expect(other.locator(".msg .text")).to_have_text(["oops, wrong chat"])
    row = page.locator(".msg.mine")
    await row.hover()
    await row.get_by_role("button", name="Delete message").click()  # the confirm() is accepted
    assert ann.dialogs == ["Delete this message for everyone?"]
    await expect(row).to_contain_text("This message was deleted.")
    await expect(other.locator(".msg")).to_contain_text("This message was deleted.")
    [stored] = await history(ben, cid)
    assert stored["deleted_at"] and stored["body"] is None
    # Ben's own messages can be deleted by him, not Ann's: no delete button on hers.
    await other.locator(".msg").hover()
    assert await other.get_by_role("button", name="Delete message").count() == 0
