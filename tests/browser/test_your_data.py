"""Settings > Your data in Chromium (ASVS 8.3.2): the export downloads as a
JSON file holding the account's conversations; deleting the account warns,
refuses a wrong password with nothing changed, then signs the browser out
for good while the other person keeps the conversation."""

from __future__ import annotations

import json

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, direct, history, shot, unnamed_controls


async def test_download_then_delete_the_account(browser, people, tmp_path):
    await people("keep")  # on a fresh server the first account is its only admin, which may not leave
    ann, bob = await people("ann"), await people("bob")
    conv = await direct(bob, ann)
    r = await bob.http.post(f"/conversations/{conv}/messages", json={"client_id": "c1", "body": "see you ann"})
    assert r.status_code == 201, r.text

    page = await ann.open(browser, DESKTOP, "/settings")
    card = page.locator("#your-data")
    await expect(card.get_by_role("heading", name="Your data")).to_be_visible()
    async with page.expect_download() as waiting:
        await card.get_by_role("link", name="Download your data").click()
    download = await waiting.value
    assert download.suggested_filename.startswith(f"chatd-export-{ann.username}-")
    saved = tmp_path / "export.json"
    await download.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["format"] == "chatd-export" and data["version"] == 1 and data["user"]["id"] == ann.id
    assert [m["body"] for c in data["conversations"] for m in c["messages"]] == ["see you ann"]

    await card.get_by_role("button", name="Delete account…").click()
    await expect(card.get_by_role("alert")).to_contain_text("cannot be undone")
    await card.scroll_into_view_if_needed()
    await shot(page, "your-data-desktop")
    assert await unnamed_controls(page) == []
    await card.get_by_label("Your current password").fill("not my password at all")
    await card.get_by_role("button", name="Delete my account for good").click()
    await expect(card.get_by_text("That is not your current password")).to_be_visible()
    assert (await ann.http.get("/me")).status_code == 200

    phone = await ann.context.new_page()
    await phone.set_viewport_size(PHONE)
    await phone.goto("/settings")
    await phone.locator("#your-data").get_by_role("button", name="Delete account…").click()
    await phone.locator("#your-data").scroll_into_view_if_needed()
    await shot(phone, "your-data-phone")
    widths = await phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths  # nothing wider than the phone
    await phone.close()

    await card.get_by_label("Your current password").fill(PASSWORD)
    await card.get_by_role("button", name="Delete my account for good").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert (await ann.http.get("/me")).status_code == 401
    assert [m["body"] for m in await history(bob, conv)] == ["see you ann"]
    shown = (await bob.http.get(f"/users/{ann.id}")).json()
    assert shown["display_name"] == "Deleted user"
