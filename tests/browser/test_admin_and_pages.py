"""The admin page changes the registration mode (the sign-up form follows);
contacts, search, settings (profile picture, theme, sign out); each gets a
screenshot."""

from __future__ import annotations

import io

import httpx
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import PASSWORD, DESKTOP, Person, direct, shot, unnamed_controls


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (47, 95, 208)).save(out, "PNG")
    return out.getvalue()


async def test_admin_closes_and_reopens_registration(browser, chatd_server, people):
    async with httpx.AsyncClient(base_url=chatd_server.url, trust_env=False) as http:
        body = (await http.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})).json()
    admin = Person(chatd_server, "admin", body)
    dave = await people("dave", "Dave Doe")  # before sign-up closes
    try:
        page = await admin.open(browser, path="/admin")
        mode = page.get_by_label("Registration mode")
        await expect(mode).to_have_value("open")
        async with page.expect_response("**/api/v1/admin/registration"):
            await mode.select_option("closed")
        await expect(mode).to_have_value("closed")
        assert (await admin.http.get("/auth/registration")).json() == {"mode": "closed"}
        await page.get_by_role("button", name="Create an invite").click()
        await expect(page.locator(".invite-code")).to_have_count(1)
        await shot(page, "admin-desktop")
        assert await unnamed_controls(page) == []

        stranger = await browser.new_context(viewport=DESKTOP, base_url=chatd_server.url)
        signup = await stranger.new_page()
        await signup.goto("/")
        await signup.get_by_role("button", name="Create an account").click()
        await expect(signup.get_by_text("Sign-up is closed on this server")).to_be_visible()

        async with page.expect_response("**/api/v1/admin/registration"):
            await mode.select_option("invite")
        await signup.reload()
        await signup.get_by_role("button", name="Create an account").click()
        await expect(signup.get_by_label("Invite code")).to_be_visible()
        await stranger.close()

        # Disabling someone signs their open page out at once.
        dave_page = await dave.open(browser)
        await expect(dave_page.get_by_role("link", name="New conversation")).to_be_visible()
        await page.reload()
        row = page.locator(".person", has_text=f"@{dave.username}")
        await row.get_by_role("button", name="Disable").click()
        await expect(row).to_contain_text("disabled")
        await expect(dave_page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=10_000)
        await row.get_by_role("button", name="Enable").click()
        await expect(row.get_by_role("button", name="Disable")).to_be_visible()
    finally:
        r = await admin.http.put("/admin/registration", json={"mode": "open"})
        assert r.status_code == 200
        await admin.close()


async def test_contacts_search_and_settings(browser, people):
    ann, ben = await people("ann", "Ann Archer"), await people("ben", "Ben Baker")
    r = await ben.http.post("/contacts", json={"user_id": ann.id})
    assert r.status_code == 201
    cid = await direct(ann, ben)
    await ben.http.post(f"/conversations/{cid}/messages", json={"client_id": "s1", "body": "the quarterly report is ready"})
    page = await ann.open(browser, path="/contacts")
    await expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    await page.get_by_role("button", name="Accept").click()
    await expect(page.get_by_role("heading", name="Contacts", exact=True).last).to_be_visible()
    await expect(page.get_by_role("button", name="Message")).to_be_visible()
    await shot(page, "contacts-desktop")
    assert (await ben.http.get("/contacts")).json()["items"][0]["status"] == "accepted"

    await page.get_by_role("link", name="Search").click()
    await page.get_by_label("Search messages").fill("quarterly")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator(".hits li")).to_have_count(1)
    await shot(page, "search-desktop")
    await page.locator(".hits a").click()
    await expect(page.locator(".msg .text")).to_have_text(["the quarterly report is ready"])

    await page.get_by_role("link", name="Settings").click()
    await page.get_by_label("Display name").fill("Ann A.")
    await page.get_by_label("Status").fill("On the train")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    me = (await ann.http.get("/me")).json()
    assert (me["display_name"], me["status_text"]) == ("Ann A.", "On the train")
    await page.get_by_label("Profile picture").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": png(300, 200)})
    picture = page.locator(".me .avatar img")
    await expect(picture).to_have_js_property("naturalWidth", 256)  # the server's square
    assert (await ann.http.get("/me")).json()["avatar"]
    await page.get_by_label("Dark").check()
    assert await page.evaluate("document.documentElement.dataset.theme") == "dark"
    await shot(page, "settings-dark-desktop")
    assert await unnamed_controls(page) == []
    await page.get_by_role("link", name="Ann A.").click()
    await page.get_by_role("link", name="Ben Baker").click()
    await shot(page, "chat-dark-desktop")
    # The preference survives a reload; it lives in localStorage, and no secret does.
    await page.reload()
    assert await page.evaluate("document.documentElement.dataset.theme") == "dark"
    stored = await page.evaluate("JSON.stringify(localStorage)")
    assert "token" not in stored.lower() and "password" not in stored.lower()

    await page.get_by_role("link", name="Settings").click()
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # What stays is this browser's device keys (signing in again reuses the device), nothing else.
    assert await page.evaluate("indexedDB.databases().then((d) => d.map((x) => x.name))") == [f"chatd-keys-{ann.id}"]
