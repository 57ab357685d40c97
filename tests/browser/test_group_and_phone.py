"""A group of three, made in the page: members, live messages to all,
mentions with autocomplete, replies and reactions; the third person on a
phone-sized screen, where the list and the conversation are separate views."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import PHONE, history, shot, unnamed_controls


async def test_group_of_three_with_one_on_a_phone(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    cat = await people("cat", "Cat Cooper")
    a = await ann.open(browser)
    b = await ben.open(browser)
    c = await cat.open(browser, viewport=PHONE)

    await a.get_by_role("link", name="New conversation").click()
    await a.get_by_role("tab", name="Group").click()
    await a.get_by_label("Group name").fill("Launch team")
    for person, name in ((ben, "Ben Baker"), (cat, "Cat Cooper")):
        await a.get_by_label("Find people").fill(person.username)
        await a.get_by_role("button", name=f"Add {name} (@{person.username})").click()
    await expect(a.locator(".chip")).to_have_count(2)
    await a.get_by_role("button", name="Create group").click()
    await expect(a.locator(".conv-head h2")).to_have_text("Launch team")
    await expect(a.locator(".conv-head .subtitle")).to_have_text("3 members")
    box = a.get_by_role("textbox", name="Message")
    await box.fill("Welcome both! Ship date is **Friday**.")
    await box.press("Enter")

    # Ben (desktop) and Cat (phone) get it live.
    await b.get_by_role("link", name="Launch team").click()
    await expect(b.locator(".msg .text")).to_have_text(["Welcome both! Ship date is Friday."])
    await expect(c.get_by_role("link", name="Launch team").locator(".badge")).to_have_text("1")
    await shot(c, "list-phone")
    await c.get_by_role("link", name="Launch team").click()
    await expect(c.get_by_role("complementary", name="Conversations")).to_be_hidden()  # phone: one view at a time
    await expect(c.locator(".msg .text")).to_have_text(["Welcome both! Ship date is Friday."])

    # Cat mentions Ann with autocomplete.
    phone_box = c.get_by_role("textbox", name="Message")
    await phone_box.press_sequentially("Great @an")
    await expect(c.get_by_role("option")).to_have_count(1)
    await phone_box.press("Enter")  # picks the suggestion
    await expect(phone_box).to_have_value(f"Great @{ann.username} ")
    await phone_box.press_sequentially("see you there")
    await phone_box.press("Enter")
    await expect(a.locator(".msg.theirs .mention")).to_have_text(f"@{ann.username}")
    sent = (await history(ann, (await ann.http.get("/conversations")).json()["items"][0]["id"]))[-1]
    assert sent["mentions"] == [ann.id] and sent["body"] == f"Great @{ann.username} see you there"

    # Ben replies to Ann's message and reacts to it.
    first = b.locator(".msg").first
    await first.hover()
    await first.get_by_role("button", name="Reply").click()
    reply = b.get_by_role("textbox", name="Message")
    await reply.fill("Friday works")
    await reply.press("Enter")
    await expect(a.locator(".msg.theirs .quote").last).to_contain_text("Ann Archer")
    await first.hover()
    await first.get_by_role("button", name="Add reaction").click()
    await b.get_by_role("menuitem", name="React 🎉").click()
    await expect(a.locator(".msg.mine .reaction")).to_have_text("🎉 1")
    await expect(c.locator(".msg .reaction").first).to_have_text("🎉 1")
    await shot(c, "chat-phone")
    await shot(a, "group-desktop")

    # Members and roles: Ann (owner) makes Ben an admin; Cat leaves from the phone.
    await a.get_by_role("button", name="Members and settings").click()
    await a.get_by_label("Role of Ben Baker").select_option("admin")
    await expect(a.get_by_label("Role of Ben Baker")).to_have_value("admin")
    await shot(a, "group-settings-desktop")
    assert await unnamed_controls(a) == []
    assert await unnamed_controls(c) == []
    await c.get_by_role("button", name="Members and settings").click()
    await c.get_by_role("button", name="Leave group").click()
    await expect(c.get_by_role("link", name="Launch team")).to_have_count(0)
    await expect(a.locator(".conv-head .subtitle")).to_have_text("2 members")


async def test_phone_screens_one_view_at_a_time(browser, chatd_server, people):
    ann, ben = await people("ann", "Ann Archer"), await people("ben", "Ben Baker")
    stranger = await browser.new_context(viewport=PHONE, base_url=chatd_server.url)
    login = await stranger.new_page()
    await login.goto("/")
    await expect(login.get_by_role("heading", name="Sign in")).to_be_visible()
    await shot(login, "login-phone")
    await stranger.close()

    page = await ann.open(browser, viewport=PHONE)
    for place, name in (("Contacts", "contacts"), ("Search", "search"), ("Settings", "settings")):
        await page.get_by_role("link", name=place, exact=True).click()
        await expect(page.get_by_role("heading", name=place if place != "Search" else "Search messages")).to_be_visible()
        await expect(page.get_by_role("complementary", name="Conversations")).to_be_hidden()
        await shot(page, f"{name}-phone")
        await page.get_by_role("link", name="Back").click()
        await expect(page.get_by_role("complementary", name="Conversations")).to_be_visible()
    await page.get_by_role("link", name="New conversation").click()
    await page.get_by_label("Find people").fill(ben.username)
    await page.get_by_role("button", name=f"Message Ben Baker (@{ben.username})").click()
    await expect(page.get_by_role("textbox", name="Message")).to_be_visible()
    assert await page.evaluate("document.activeElement.getAttribute('aria-label')") != "Message"  # no keyboard pop-up
    await page.get_by_role("link", name="Back to conversations").click()
    await expect(page.get_by_role("link", name="Ben Baker")).to_be_visible()
