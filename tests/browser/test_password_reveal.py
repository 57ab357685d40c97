"""The sign-in and sign-up forms let the user see what they typed (ASVS
2.1.12) and take a pasted password (2.1.11); the field is masked again on
every switch between the two."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, PASSWORD


async def test_the_password_can_be_shown_pasted_and_hidden_again(browser, chatd_server):
    context = await browser.new_context(viewport=DESKTOP, base_url=chatd_server.url)
    try:
        page = await context.new_page()
        await page.goto("/")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        field = page.get_by_label("Password")
        # A paste (as a password manager or the clipboard would): nothing blocks it.
        await field.focus()
        await page.evaluate("""() => {
            const data = new DataTransfer(); data.setData("text/plain", "pasted secret words");
            const input = document.querySelector("input[name=password]");
            if (input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, cancelable: true}))) {
                input.value = "pasted secret words"; input.dispatchEvent(new Event("input", {bubbles: true}));
            }
        }""")
        await expect(field).to_have_value("pasted secret words")
        await expect(field).to_have_attribute("type", "password")
        show = page.get_by_role("button", name="Show", exact=True)
        await expect(show).to_have_attribute("aria-pressed", "false")
        await show.click()
        await expect(field).to_have_attribute("type", "text")
        await expect(field).to_have_value("pasted secret words")
        await page.get_by_role("button", name="Hide", exact=True).click()
        await expect(field).to_have_attribute("type", "password")

        await page.get_by_role("button", name="Show", exact=True).click()
        await page.get_by_role("button", name="Create an account").click()
        await expect(page.get_by_label("Password")).to_have_attribute("type", "password")
        # And it still signs in.
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_label("Username").fill("admin")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await expect(page.get_by_role("heading", name="Pick a conversation")).to_be_visible()
    finally:
        await context.close()
