"""The web UI (tweetnacl) and the Python client (chatd.client, PyNaCl) in
one encrypted conversation, both ways: text, edits, a file; then the Python
client's Argon2id key backup restored in a fresh browser, which reads the
whole history."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.async_api import expect

from chatd.client import Client
from chatd.client.e2ee import E2ee
from tests.browser.conftest import PASSWORD, PHONE, shot, stored
from tests.browser.e2ee_scene import encrypted_direct, published

PASSPHRASE = "fjord copper saddle violin"


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 120), (30, 140, 90)).save(out, "PNG")
    return out.getvalue()


async def test_browser_and_python_client_both_ways(browser, chatd_server, people, tmp_path):
    ann = await people("ann", "Ann Archer")
    pia = await people("pia", "Pia Python")
    page = await ann.open(browser)
    await published(ann)
    async with Client(chatd_server.url, trust_env=False) as client:
        await client.login(pia.username, PASSWORD)
        py = await E2ee.start(client, folder=tmp_path / "pia")
        cid = await encrypted_direct(ann, pia)
        await page.goto(f"/c/{cid}")

        # Browser -> Python.
        box = page.get_by_role("textbox", name="Message")
        await box.fill("from the browser: ünïcødé ✓")
        await box.press("Enter")
        [first] = await stored(pia, cid, 1)
        assert (await py.read(first)).shown() == "from the browser: ünïcødé ✓"

        # Python -> browser: text, an image (no thumbnail: the Python client makes none) and an edit.
        png = small_png()
        entry = await py.upload(cid, png, name="leaf.png", content_type="image/png")
        sent = await py.send(cid, "from Python with a picture", attachments=[entry])
        theirs = page.locator(".msg.theirs")
        await expect(theirs.locator(".text")).to_have_text("from Python with a picture")
        img = theirs.locator(".image-preview img")
        await expect(img).to_have_attribute("src", re.compile(r"^blob:"))
        await page.wait_for_function("(img) => img.complete && img.naturalWidth === 200", arg=await img.element_handle())
        await py.edit(sent, "from Python, edited")
        await expect(theirs.locator(".text")).to_have_text("from Python, edited")

        # A browser edit reads back in Python.
        mine = page.locator(".msg.mine").first
        await mine.hover()
        await mine.get_by_role("button", name="Edit message").click()
        await page.get_by_role("textbox", name="Edit message").fill("from the browser, edited")
        await page.get_by_role("textbox", name="Edit message").press("Enter")
        items = await stored(pia, cid, 2, until=lambda xs: xs[0].get("edited_at"))
        assert [(await py.read(m)).shown() for m in items] == ["from the browser, edited", "from Python, edited"]

        # The Python client backs up with Argon2id; a fresh browser of Pia's restores it.
        await py.backup(PASSPHRASE)
        assert (await pia.http.get("/me/key-backup")).json()["kdf"]["name"] == "argon2id"
        fresh = await pia.open(browser, viewport=PHONE, path=f"/c/{cid}")
        await published(pia, 2)
        await expect(fresh.locator(".undecryptable")).to_have_count(2)
        prompt = fresh.get_by_role("region", name="Restore your encrypted history")
        await prompt.get_by_label("Recovery passphrase").fill(PASSPHRASE)
        await prompt.get_by_role("button", name="Restore keys").click()
        await expect(prompt).to_have_count(0, timeout=30_000)
        await expect(fresh.locator(".msg .text")).to_have_text(["from the browser, edited", "from Python, edited"])
        await expect(fresh.locator(".undecryptable")).to_have_count(0)
        await shot(fresh, "e2ee-restored-from-python-phone")
        await fresh.goto("/settings")
        await fresh.get_by_role("heading", name="Change the recovery passphrase").scroll_into_view_if_needed()
        await shot(fresh, "e2ee-backup-settings-phone")
        # The browser re-made the backup (PBKDF2) with both devices; Python still reads it.
        backup = (await pia.http.get("/me/key-backup")).json()
        assert backup["kdf"]["name"] == "pbkdf2-sha256"
        assert await py.restore(PASSPHRASE) == 1
