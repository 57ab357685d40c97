"""Two-step sign-in in real Chromium: Settings turns it on (QR code, key,
confirm with a code computed here, recovery codes shown once), the sign-in
screen then asks for a code, and a stale session gets "Confirm it's you"
before enrolling. At desktop and phone size."""

from __future__ import annotations

import sqlite3
import time

from playwright.async_api import expect

from chatd.services.second_factor import totp
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, shot


def age_proofs(server, user_id: str) -> None:
    """Move this user's step-up proofs 11 minutes back, as time would (the
    server is another process: its clock cannot be moved)."""
    with sqlite3.connect(server.data_dir / "chatd.db", timeout=10) as db:
        db.execute("UPDATE sessions SET verified_at = verified_at - 660000 WHERE user_id = ?", (user_id,))
    time.sleep(1.5)  # the server's session cache keeps an answer up to 1 s from when its read ended


async def enrol_in_settings(page, person, name: str) -> tuple[str, list[str]]:
    await page.goto("/settings")
    section = page.locator("#two-step")
    await expect(section.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    age_proofs(person.server, person.id)
    await section.get_by_role("button", name="Turn on two-step sign-in").click()
    # The session's proof is old: the server asks, the page asks, then goes on.
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog).to_be_visible()
    await shot(page, f"two-step-reauth-{name}")
    await dialog.get_by_label("Password").fill(PASSWORD)
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(dialog).to_be_hidden()
    qr = section.get_by_role("img", name="QR code for your authenticator app")
    await expect(qr).to_be_visible()
    assert await qr.locator("rect").count() > 100  # drawn modules, not an empty box
    secret = await section.locator(".totp-key").get_attribute("data-secret")
    assert (await section.locator(".totp-key").inner_text()).replace(" ", "") == secret
    await section.get_by_label("Code from the app").scroll_into_view_if_needed()
    await shot(page, f"two-step-enrol-{name}")
    await section.get_by_label("Code from the app").fill("000000" if totp.code_at(secret, time.time()) != "000000"
                                                         else "111111")
    await section.get_by_role("button", name="Confirm").click()
    await expect(section.get_by_role("alert")).to_have_text("Wrong or already used code.")
    await section.get_by_label("Code from the app").fill(totp.code_at(secret, time.time()))
    await section.get_by_role("button", name="Confirm").click()
    codes_region = section.get_by_role("region", name="Recovery codes")
    await expect(codes_region).to_be_visible()
    codes = [c.strip() for c in await codes_region.locator("li").all_inner_texts()]
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)
    await codes_region.get_by_role("button", name="I have saved them").scroll_into_view_if_needed()
    await shot(page, f"two-step-recovery-codes-{name}")
    await section.get_by_role("button", name="I have saved them").click()
    await expect(section).to_contain_text("10 of 10 recovery codes left")
    await expect(codes_region).to_be_hidden()
    return secret, codes


async def sign_out_and_in(page, username: str) -> None:
    await page.goto("/settings")
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()


async def test_enrol_sign_out_and_sign_in_with_a_code(browser, people):
    alice = await people("tf")
    page = await alice.open(browser, DESKTOP)
    secret, _ = await enrol_in_settings(page, alice, "desktop")
    r = await alice.http.get("/me/second-factor")
    assert r.json()["totp"] is True

    await sign_out_and_in(page, alice.username)
    await shot(page, "two-step-code-desktop")
    await page.get_by_label("Code").fill("000000" if totp.code_at(secret, time.time() + 30) != "000000" else "111111")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("That code is wrong or was already used.")
    # The next step's code (within the drift): the confirming code's step is spent.
    await page.get_by_label("Code").fill(totp.code_at(secret, time.time() + 30))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Pick a conversation")).to_be_visible()
    me = await page.evaluate("fetch('/api/v1/me').then((r) => r.json())")
    assert me["id"] == alice.id


async def test_on_a_phone_a_recovery_code_signs_in_once(browser, people):
    bob = await people("tfp")
    page = await bob.open(browser, PHONE)
    _, codes = await enrol_in_settings(page, bob, "phone")
    await sign_out_and_in(page, bob.username)
    await page.get_by_role("button", name="Use a recovery code").click()
    await page.get_by_label("Recovery code").fill(codes[0].upper())
    await shot(page, "two-step-recovery-phone")
    await page.get_by_role("button", name="Sign in").click()
    # Signed in once the code's form is gone (a heading that is only absent
    # would pass before the answer came, and /settings then showed sign-in).
    await expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_hidden()
    me = await page.evaluate("fetch('/api/v1/me').then((r) => r.json())")
    assert me["id"] == bob.id
    await page.goto("/settings")
    await expect(page.locator("#two-step")).to_contain_text("9 of 10 recovery codes left")
    await page.locator("#two-step").scroll_into_view_if_needed()
    await shot(page, "two-step-settings-on-phone")
    # The same code once more, on a fresh sign-in: refused.
    await sign_out_and_in(page, bob.username)
    await page.get_by_role("button", name="Use a recovery code").click()
    await page.get_by_label("Recovery code").fill(codes[0])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("That code is wrong or was already used.")


async def test_turning_it_off_needs_the_password_and_a_code(browser, people):
    carol = await people("tfo")
    page = await carol.open(browser, DESKTOP)
    _, codes = await enrol_in_settings(page, carol, "off")
    section = page.locator("#two-step")
    await section.get_by_label("Password").fill(PASSWORD)
    await section.get_by_label("Code").fill(codes[1])
    await section.get_by_role("button", name="Turn off two-step sign-in").click()
    await expect(section.get_by_role("button", name="Turn on two-step sign-in")).to_be_visible()
    assert (await carol.http.get("/me/second-factor")).json()["totp"] is False
