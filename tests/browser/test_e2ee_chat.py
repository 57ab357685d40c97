"""Two people chat in an end-to-end encrypted conversation in the web UI:
the server stores only envelopes; one of them clears the browser, restores
the key backup with the recovery passphrase and reads the whole history;
the database, the media folder and the log never hold the plaintext."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import PHONE, shot, stored
from tests.browser.e2ee_scene import BACKUP_PASSPHRASE, files_holding, flag_for, published


async def send(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")


async def test_encrypted_chat_and_restore_on_a_fresh_browser(browser, chatd_server, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    # The server's e2ee_default flag (on for Ann): her new direct conversation is encrypted.
    await flag_for(chatd_server, "e2ee_default", [ann])
    errors: list[str] = []
    a = await ann.open(browser)
    b = await ben.open(browser)
    for page in (a, b):
        page.on("pageerror", lambda e: errors.append(str(e)))
    await published(ann)
    await published(ben)

    await a.get_by_role("link", name="New conversation").click()
    await expect(a.get_by_text("New direct conversations are end-to-end encrypted.")).to_be_visible()
    await a.get_by_label("Find people").fill(ben.username)
    await a.get_by_role("button", name=f"Message Ben Baker (@{ben.username})").click()
    await expect(a.locator(".conv-head h2 .lock")).to_be_visible()
    await expect(a.locator(".e2ee-note")).to_contain_text("Reactions, who replies to whom, and when are visible to the server")
    conversation_id = a.url.rsplit("/", 1)[1]

    await send(a, "The vault code is marigold-4417")
    await expect(a.locator(".msg.mine .text")).to_have_text("The vault code is marigold-4417")
    row = b.get_by_role("link", name="Ann Archer")
    await expect(row.locator(".lock")).to_be_visible()
    await expect(row.locator(".conv-preview")).to_have_text("The vault code is marigold-4417")
    await row.click()
    await expect(b.locator(".msg.theirs .text")).to_have_text("The vault code is marigold-4417")
    await send(b, "Got it, **zinnia-2209** is mine")
    await expect(a.locator(".msg.theirs .text")).to_have_text("Got it, zinnia-2209 is mine")
    # An edit is sealed again.
    mine = a.locator(".msg.mine").first
    await mine.hover()
    await mine.get_by_role("button", name="Edit message").click()
    await a.get_by_role("textbox", name="Edit message").fill("The vault code is marigold-4418")
    await a.get_by_role("textbox", name="Edit message").press("Enter")
    await expect(b.locator(".msg.theirs .text")).to_have_text("The vault code is marigold-4418")

    # The server holds envelopes only: no body, a signature, a key per device.
    items = await stored(ann, conversation_id, 2, until=lambda xs: all(m.get("edited_at") or m["sender_id"] != ann.id for m in xs))
    assert [m["kind"] for m in items] == ["encrypted", "encrypted"]
    assert all(m["body"] is None and m["envelope"]["sig"] for m in items)
    assert len(items[0]["envelope"]["keys"]) == 2
    await shot(a, "e2ee-chat-desktop")

    # Ann sets a recovery passphrase; the page says plainly what losing it means.
    await a.goto("/settings")
    await expect(a.get_by_text("If you forget it and lose every device you are signed in on")).to_be_visible()
    await a.get_by_role("heading", name="Set a recovery passphrase").scroll_into_view_if_needed()
    await shot(a, "e2ee-backup-settings-desktop")
    await a.get_by_label("New recovery passphrase").fill(BACKUP_PASSPHRASE)
    await a.get_by_label("Repeat the passphrase").fill(BACKUP_PASSPHRASE)
    await a.get_by_label("I understand").check()
    await a.get_by_role("button", name="Save key backup").click()
    await expect(a.get_by_text("Key backup saved.")).to_be_visible(timeout=20_000)
    assert (await ann.http.get("/me/key-backup")).json()["kdf"]["name"] == "pbkdf2-sha256"
    # The browser that made the backup is not asked to restore it.
    await a.goto(f"/c/{conversation_id}")
    await expect(a.locator(".msg.mine .text")).to_have_text("The vault code is marigold-4418")
    await expect(a.get_by_role("region", name="Restore your encrypted history")).to_have_count(0)

    # Ann clears everything: a fresh browser context, new device keys.
    await ann.context.close()
    fresh = await ann.open(browser, viewport=PHONE, path=f"/c/{conversation_id}")
    fresh.on("pageerror", lambda e: errors.append(str(e)))
    await published(ann, 2)
    warning = fresh.locator(".undecryptable").first
    await expect(warning).to_contain_text("could not be decrypted")
    await expect(warning).to_contain_text("No key for this device")
    prompt = fresh.get_by_role("region", name="Restore your encrypted history")
    await prompt.get_by_label("Recovery passphrase").fill("not the passphrase")
    await prompt.get_by_role("button", name="Restore keys").click()
    await expect(prompt.get_by_role("alert")).to_have_text("That passphrase does not open the backup.", timeout=20_000)
    await prompt.get_by_label("Recovery passphrase").fill(BACKUP_PASSPHRASE)
    await prompt.get_by_role("button", name="Restore keys").click()
    await expect(prompt).to_have_count(0, timeout=20_000)
    await expect(fresh.locator(".msg.mine .text")).to_have_text("The vault code is marigold-4418")
    await expect(fresh.locator(".msg.theirs .text")).to_have_text("Got it, zinnia-2209 is mine")
    await expect(fresh.locator(".undecryptable")).to_have_count(0)
    # Both devices are in the new backup; new messages reach both of Ann's devices.
    await send(b, "Welcome back")
    await expect(fresh.locator(".msg.theirs .text").last).to_have_text("Welcome back")
    await shot(fresh, "e2ee-restored-phone")

    # A new passphrase: the stored backup (the old one) does not open with it, so
    # the page asks before replacing it; both of Ann's keys go into the new one.
    salt = (await ann.http.get("/me/key-backup")).json()["kdf"]["salt"]
    await fresh.goto("/settings")
    await fresh.get_by_label("New recovery passphrase").fill("a brand new passphrase")
    await fresh.get_by_label("Repeat the passphrase").fill("a brand new passphrase")
    await fresh.get_by_label("I understand").check()
    await fresh.get_by_role("button", name="Save key backup").click()
    await expect(fresh.get_by_text("Key backup saved.")).to_be_visible(timeout=20_000)
    assert "made with another passphrase" in ann.dialogs[-1]
    assert (await ann.http.get("/me/key-backup")).json()["kdf"]["salt"] != salt

    # What the admin can read: no plaintext in the database, media or the log.
    chatd_server_files = files_holding(chatd_server.data_dir, b"marigold")
    assert chatd_server_files == []
    assert files_holding(chatd_server.data_dir, b"zinnia") == []
    assert files_holding(chatd_server.data_dir, b"Welcome back") == []
    assert errors == []
