"""Two people register in their own browsers, open a direct conversation and
chat live: messages, typing, presence, read markers."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import PASSWORD, shot


async def sign_up_in_the_page(page, username: str, display_name: str) -> None:
    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Display name").fill(display_name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()


async def test_two_people_register_and_chat_live(browser, chatd_server):
    errors: list[str] = []
    contexts = []
    pages = []
    for _ in range(2):
        context = await browser.new_context(viewport={"width": 1280, "height": 800}, base_url=chatd_server.url)
        page = await context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        # A 401 from GET /me before signing in is logged by the browser itself, not by the app.
        page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
                and errors.append(m.text))
        await page.goto("/")
        contexts.append(context)
        pages.append(page)
    ann, ben = pages
    await expect(ann.get_by_role("heading", name="Sign in")).to_be_visible()
    await shot(ann, "login-desktop")
    await sign_up_in_the_page(ann, "ann", "Ann Archer")
    await sign_up_in_the_page(ben, "ben", "Ben Baker")
    await expect(ann.get_by_role("heading", name="Pick a conversation")).to_be_visible()
    await expect(ben.get_by_role("heading", name="Pick a conversation")).to_be_visible()  # Ben exists before Ann looks
    await shot(ann, "empty-desktop")

    # Ann starts a direct conversation with Ben from the directory.
    await ann.get_by_role("link", name="New conversation").click()
    await ann.get_by_label("Find people").fill("ben")
    await ann.get_by_role("button", name="Message Ben Baker (@ben)").click()
    box = ann.get_by_role("textbox", name="Message")
    await box.fill("Hi **Ben**, welcome to chatd!")
    await box.press("Enter")
    await expect(ann.locator(".msg.mine .text")).to_have_text("Hi Ben, welcome to chatd!")
    await expect(ann.locator(".msg.mine strong")).to_have_text("Ben")

    # Ben sees it arrive live, with an unread count, and opens it.
    conversation = ben.get_by_role("link", name="Ann Archer")
    await expect(conversation.locator(".badge")).to_have_text("1")
    await conversation.click()
    await expect(ben.locator(".msg.theirs .text")).to_have_text("Hi Ben, welcome to chatd!")
    # Both online: presence in the header.
    await expect(ben.locator(".conv-head .subtitle")).to_have_text("Online")
    await expect(ann.locator(".conv-head .subtitle")).to_have_text("Online")

    # Typing shows on the other side; Shift+Enter makes a new line.
    reply = ben.get_by_role("textbox", name="Message")
    await reply.press_sequentially("Thanks")
    await expect(ann.locator(".typing")).to_have_text("Ben Baker is typing…")
    await reply.press("Shift+Enter")
    await reply.press_sequentially("Glad to be here")
    await reply.press("Enter")
    await expect(ann.locator(".msg.theirs .text p")).to_have_count(1)
    await expect(ann.locator(".msg.theirs .text")).to_contain_text("Glad to be here")
    # Ben read Ann's message: her last message says so.
    await expect(ann.locator(".seen")).to_have_text("Seen by Ben Baker")
    await shot(ann, "chat-desktop")

    # Ben leaves: Ann sees him go offline.
    await contexts[1].close()
    await expect(ann.locator(".conv-head .subtitle")).to_have_text("Offline", timeout=10_000)

    assert errors == []
    await contexts[0].close()
