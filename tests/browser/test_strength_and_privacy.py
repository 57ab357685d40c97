"""The live password strength meter (ASVS 2.1.8) on the sign-up and the
password-change forms, in words and agreeing with the server; the privacy
notice (8.3.3) on the sign-up screen and in Settings, rendered as text even
when the operator's file holds markup. Desktop and phone size."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, shot, unnamed_controls

WEAK, STRONG = "password1234", "purple elephant dancing quietly"


async def _server_says(url: str, password: str, hints: list[str]) -> dict:
    async with httpx.AsyncClient(trust_env=False) as http:
        r = await http.post(f"{url}/api/v1/auth/password-strength", json={"password": password, "hints": hints})
    return r.json()


@pytest.mark.parametrize("viewport, size", [(DESKTOP, "desktop"), (PHONE, "phone")])
async def test_sign_up_shows_a_meter_in_words_and_the_privacy_notice(browser, chatd_server, viewport, size):
    context = await browser.new_context(viewport=viewport, base_url=chatd_server.url)
    try:
        page = await context.new_page()
        await page.goto("/")
        await page.get_by_role("button", name="Create an account").click()
        await page.get_by_label("Username").fill(f"meter{size}")
        field = page.get_by_label("Password")
        strength = page.locator("#signup-strength")
        await expect(field).to_have_attribute("aria-describedby", "signup-strength")
        await field.fill(WEAK)
        await expect(strength).to_contain_text("not accepted by this server yet")
        server = await _server_says(chatd_server.url, WEAK, [f"meter{size}", f"meter{size}"])
        assert server["acceptable"] is False
        await expect(strength).to_contain_text(f"({server['score']} of 4)")
        assert (await strength.locator(".hint").inner_text()).strip()  # zxcvbn's advice, as text
        await shot(page, f"strength-weak-{size}")
        await field.fill(STRONG)
        await expect(strength).to_contain_text("good enough for this server")
        assert (await _server_says(chatd_server.url, STRONG, [f"meter{size}"] * 2))["acceptable"] is True
        await shot(page, f"strength-strong-{size}")

        await page.get_by_text("What this server stores about you (privacy)").click()
        notice = page.locator(".privacy .notice-text")
        await expect(notice).to_contain_text("What this chat server stores")
        await expect(notice).to_contain_text("IP address")
        await notice.scroll_into_view_if_needed()
        await shot(page, f"privacy-signup-{size}")
        assert await unnamed_controls(page) == []
        # And the form still signs up with the strong one.
        await page.get_by_role("button", name="Create account").click()
        await expect(page.get_by_role("link", name="Settings")).to_be_visible()  # signed in (phone: the list)
    finally:
        await context.close()


@pytest.mark.parametrize("fmt", ["markdown", "text"])
async def test_an_operators_notice_with_markup_stays_text(browser, chatd_server, fmt):
    hostile = "# Rules\n<script>window.pwned = 1</script>\n<img src=x onerror=\"window.pwned = 2\">\n[x](javascript:alert(1))"
    context = await browser.new_context(viewport=DESKTOP, base_url=chatd_server.url)
    try:
        page = await context.new_page()
        await page.route("**/api/v1/privacy", lambda route: route.fulfill(
            status=200, content_type="application/json",
            body=json.dumps({"format": fmt, "text": hostile, "custom": True})))
        await page.goto("/")
        await page.get_by_role("button", name="Create an account").click()
        await page.get_by_text("What this server stores about you (privacy)").click()
        notice = page.locator(".privacy .notice-text")
        await expect(notice).to_contain_text("<script>window.pwned = 1</script>")
        await expect(notice).to_contain_text("onerror")
        assert await notice.locator("script, img, a[href^=javascript]").count() == 0
        assert await page.evaluate("() => window.pwned") is None
    finally:
        await context.close()


@pytest.mark.parametrize("viewport, size", [(DESKTOP, "desktop"), (PHONE, "phone")])
async def test_settings_change_password_with_the_meter_and_privacy(browser, people, viewport, size):
    person = await people("pw")
    page = await person.open(browser, viewport=viewport, path="/settings")
    form = page.locator("form", has=page.get_by_role("heading", name="Password"))
    await form.get_by_label("Current password").fill(PASSWORD)
    new = form.get_by_label("New password")
    await new.fill(WEAK)
    strength = page.locator("#new-password-strength")
    await expect(strength).to_contain_text("not accepted by this server yet")
    await form.get_by_role("button", name="Change password").click()
    await expect(form.get_by_role("alert")).to_contain_text("password")
    await new.fill(STRONG)
    await expect(strength).to_contain_text("good enough for this server")
    await strength.scroll_into_view_if_needed()
    await shot(page, f"strength-settings-{size}")
    await form.get_by_role("button", name="Change password").click()
    await expect(form.get_by_role("status")).to_contain_text("Password changed")
    await page.get_by_text("What this server stores about you").click()
    await expect(page.locator(".privacy .notice-text")).to_contain_text("What an admin can see")
    await page.locator(".privacy").scroll_into_view_if_needed()
    await shot(page, f"privacy-settings-{size}")
    async with httpx.AsyncClient(trust_env=False) as http:
        r = await http.post(f"{person.server.url}/api/v1/auth/login", json={"username": person.username,
                                                                              "password": STRONG})
    assert r.status_code == 200
