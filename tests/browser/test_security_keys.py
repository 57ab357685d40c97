"""Security keys in real Chromium with the DevTools Protocol's virtual
authenticator (WebAuthn.addVirtualAuthenticator): Settings adds a key with
a name and renames it, the sign-in offers "Use a security key" and signs in
with it, and "Confirm it's you" takes the key before removing it (the last
factor: two-step sign-in goes off, and the page says so). At desktop and
phone size.

WebAuthn refuses an IP address as the relying party, so this module serves
its own chatd at http://localhost:PORT (public_url too), which browsers
treat as a secure context."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from playwright.async_api import expect

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, register, served_with_admin, shot
from tests.browser.test_two_step import age_proofs

KEYS = "/me/second-factor/security-keys"


@pytest.fixture(scope="module")
def localhost_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("webauthn"), config={"auth": {"login_attempts_per_minute": 1000}},
                           env=BENCH_ENV)
    server.url = f"http://localhost:{server.port}"
    server.sections["server"]["public_url"] = server.url
    with served_with_admin(server):
        yield server


@pytest.fixture
async def person(localhost_server) -> AsyncIterator[Any]:
    made = []

    async def make(prefix: str) -> Any:
        made.append(await register(localhost_server, prefix))
        return made[-1]

    yield make
    for p in made:
        await p.close()


async def virtual_authenticator(page) -> Any:
    """A USB security key that answers at once (presence simulated), on this page's target."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    added = await cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": False, "hasUserVerification": False,
        "automaticPresenceSimulation": True}})
    return cdp, added["authenticatorId"]


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_add_a_key_sign_out_sign_in_with_it_and_remove_it(browser, person, size):
    alice = await person("wa")
    page = await alice.open(browser, DESKTOP if size == "desktop" else PHONE, "/settings")
    cdp, authenticator = await virtual_authenticator(page)
    section = page.locator("#security-keys")
    await expect(section.get_by_role("heading", name="Security keys")).to_be_visible()
    await section.get_by_label("Name of the new key").fill("Blue USB key")
    await section.get_by_role("button", name="Add a security key").click()
    await expect(section.get_by_role("status")).to_contain_text("“Blue USB key” was added")
    await expect(section.get_by_role("list", name="Your security keys")).to_contain_text("Blue USB key")
    await expect(page.locator("#two-step")).to_contain_text("with a security key")
    stored = (await alice.http.get(KEYS)).json()
    assert [k["name"] for k in stored] == ["Blue USB key"] and stored[0]["transports"] == ["usb"]
    held = (await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator}))["credentials"]
    assert len(held) == 1  # the key in the (virtual) authenticator, its public half on the server
    await section.get_by_role("button", name="Rename Blue USB key").click()
    await section.get_by_label("New name").fill("Red key")
    await section.get_by_role("button", name="Save").click()
    await expect(section.get_by_role("list", name="Your security keys")).to_contain_text("Red key")
    await section.scroll_into_view_if_needed()
    await shot(page, f"security-keys-settings-{size}")

    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Username").fill(alice.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    await expect(page.get_by_label("Code")).to_have_count(0)  # no app enrolled: no code to ask for
    await shot(page, f"security-keys-sign-in-{size}")
    await page.get_by_role("button", name="Use a security key").click()
    await expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_hidden()
    me = await page.evaluate("fetch('/api/v1/me').then((r) => r.json())")
    assert me["id"] == alice.id
    used = (await alice.http.get(KEYS)).json()[0]
    assert used["last_used_at"] is not None

    # Removing needs a fresh proof: "Confirm it's you" with the password and the key.
    await page.goto("/settings")
    age_proofs(alice.server, alice.id)
    await section.get_by_role("button", name="Remove Red key").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog).to_contain_text("your password and your security key")
    await dialog.get_by_label("Password").fill(PASSWORD)
    await shot(page, f"security-keys-reauth-{size}")
    await dialog.get_by_role("button", name="Use a security key").click()
    await expect(dialog).to_be_hidden()
    await expect(section.get_by_role("status")).to_contain_text("two-step sign-in is now off")
    assert (await alice.http.get(KEYS)).json() == []
    assert (await alice.http.get("/me/second-factor")).json()["enabled"] is False
    assert any("Remove the security key “Red key”" in d for d in alice.dialogs)
