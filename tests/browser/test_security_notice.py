"""Security notices in real Chromium (ASVS 2.2.3, 2.5.5): a password changed
on one page is told at once on every other open page of the account, and
nowhere else; Settings lists it under Security activity."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser.conftest import PASSWORD, PHONE, shot, unnamed_controls

NEW_PASSWORD = "a different horse, stapled"

# The page's own fetch, with its cookie session and the CSRF echo it needs.
PAGE_FETCH = """async ([method, path, body]) => {
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrf_token="))?.split("=")[1];
  const r = await fetch("/api/v1" + path, { method, body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf } });
  return r.status;
}"""


async def live(page) -> None:
    """The page is signed in and its socket is open."""
    await expect(page.get_by_role("heading", name="Pick a conversation")).to_be_visible()
    await expect(page.get_by_text("Reconnecting…")).to_have_count(0)


async def test_a_password_change_is_shown_on_the_other_open_page(browser, people):
    ann, ben = await people("ann"), await people("ben")
    here = await ann.open(browser)
    errors: list[str] = []
    other = await ann.context.new_page()  # a second tab of the same sign-in
    other.on("pageerror", lambda e: errors.append(str(e)))
    await other.goto("/")
    bens = await ben.open(browser)
    for page in (here, other, bens):
        await live(page)

    assert await here.evaluate(PAGE_FETCH, ["PUT", "/me/password", {"current": PASSWORD, "new": NEW_PASSWORD}]) == 204
    # (Filtered by text: the browser's own E2EE device, published as it opened, may be news too.)
    notice = other.locator(".banner-security", has_text="Your password was changed")
    await expect(notice).to_have_count(1)
    await expect(notice).to_have_attribute("role", "alert")
    await expect(notice).to_contain_text("Your password was changed from Chrome on Linux")
    await expect(notice).to_contain_text("Not you?")
    await expect(notice.get_by_role("button", name="Change your password")).to_be_visible()
    await expect(notice.get_by_role("button", name="Sign out everywhere else")).to_be_visible()
    await expect(here.locator(".banner-security", has_text="Your password was changed")).to_have_count(1)  # told too
    assert await unnamed_controls(other) == []
    await shot(other, "security-notice-desktop")
    await other.set_viewport_size(PHONE)
    await expect(notice).to_be_visible()
    box = await notice.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]  # wraps, no sideways scroll
    await shot(other, "security-notice-phone")

    # Nobody else hears of it.
    await bens.wait_for_timeout(500)
    await expect(bens.locator(".banner-security")).to_have_count(0)

    # "Change your password" leads to Settings, where the activity is listed.
    await other.set_viewport_size({"width": 1280, "height": 800})
    await notice.get_by_role("button", name="Change your password").click()
    await expect(other).to_have_url(f"{ann.server.url}/settings")
    await expect(notice).to_have_count(0)  # dismissed by going there
    listed = other.locator("#security .security-activity li")
    await expect(listed.first).to_contain_text("Your password was changed")
    await other.locator("#security").scroll_into_view_if_needed()
    await shot(other, "security-activity-desktop")
    await other.set_viewport_size(PHONE)
    await other.locator("#security").scroll_into_view_if_needed()
    await shot(other, "security-activity-phone")

    # A new event arrives live in the open list, and as a notice again.
    # (from the first tab: the password change ended every other session)
    assert await here.evaluate(PAGE_FETCH, ["POST", "/me/tokens", {"name": "deploy bot"}]) == 201
    await expect(listed.first).to_contain_text("An API token was created (“deploy bot”)")
    token_notice = other.locator(".banner-security", has_text="An API token was created")
    await expect(token_notice).to_have_count(1)
    await token_notice.get_by_role("button", name="Dismiss this security notice").click()
    await expect(token_notice).to_have_count(0)

    # An administrator's change is told as such, with no "Not you?".
    async with httpx.AsyncClient(base_url=ann.server.url + "/api/v1", trust_env=False) as http:
        token = (await http.post("/auth/login", json={"username": "admin", "password": PASSWORD})).json()["token"]
        r = await http.put(f"/admin/users/{ann.id}/role", json={"role": "guest"},
                           headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
    by_admin = other.locator(".banner-security", has_text="Your role was changed to guest by an administrator")
    await expect(by_admin).to_have_count(1)
    await expect(by_admin).not_to_contain_text("Not you?")
    await expect(by_admin.get_by_role("button")).to_have_count(1)  # Dismiss only
    assert errors == []
