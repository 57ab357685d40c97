"""Trust in the web UI's encryption: envelopes sealed in the test with
PyNaCl (from docs/e2ee.md alone) open in the browser; tampered ones, a bad
signature or a forged sender show "could not be decrypted" with the reason,
never text; safety numbers, "mark verified" and the key-change warning."""

from __future__ import annotations

import base64

from playwright.async_api import expect

from tests.browser.conftest import PHONE, idb_until, shot
from tests.browser.e2ee_scene import PyDevice, b64, encrypted_direct, members, published


def flip(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[len(raw) // 2] ^= 1
    return b64(bytes(raw))


async def test_tampered_and_forged_envelopes_show_a_warning(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    mal = await people("mal", "Mal Lory")
    page = await ann.open(browser)
    await published(ann)
    device = PyDevice(ben)
    await device.publish()
    forger = PyDevice(mal)
    await forger.publish()
    cid = await encrypted_direct(ann, ben)
    everyone = await members(ann, cid)

    await device.send(cid, device.seal(cid, "sealed in Python, opened in the browser", everyone))
    bad_sig = device.seal(cid, "nobody may read this: bad signature", everyone)
    bad_sig["sig"] = flip(bad_sig["sig"])
    await device.send(cid, bad_sig)
    # The ciphertext changed and the envelope signed again: the MAC catches it.
    bad_mac = device.seal(cid, "nobody may read this: bad MAC", everyone)
    bad_mac = device.signed(cid, {k: v for k, v in bad_mac.items() if k != "sig"} | {"ciphertext": flip(bad_mac["ciphertext"])})
    await device.send(cid, bad_mac)
    # Ben's message claiming to come from Mal's device (signed by it): the server refuses
    # to store it; the browser's own check of that case is in test_e2ee_vectors.py
    # ("sender_device_of_bob"), since readers do not trust the server with it.
    forged = forger.seal(cid, "nobody may read this: forged sender", everyone)
    r = await ben.http.post(f"/conversations/{cid}/messages",
                            json={"kind": "encrypted", "envelope": forged, "client_id": "forged"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_sender_device", r.text

    await page.goto(f"/c/{cid}")
    texts = page.locator(".msg.theirs .text")
    await expect(texts).to_have_count(1)
    await expect(texts).to_have_text("sealed in Python, opened in the browser")
    warnings = page.locator(".undecryptable")
    await expect(warnings).to_have_count(2)
    await expect(warnings.nth(0)).to_contain_text("The signature does not match")
    await expect(warnings.nth(1)).to_contain_text("The ciphertext failed its integrity check")
    assert "nobody may read this" not in await page.locator(".messages").inner_text()
    await shot(page, "e2ee-undecryptable-desktop")


async def verified_kept(page, user_id: str) -> None:
    """This browser's IndexedDB holds the user as verified, with no change pending."""
    await idb_until(page, "trust", "(entries, id) => entries.some(([k, v]) => k === id && v.verified && !v.changed)",
                    user_id)


async def test_safety_number_verify_and_key_change_warning(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    a = await ann.open(browser)
    b = await ben.open(browser, viewport=PHONE)
    await published(ann)
    await published(ben)
    cid = await encrypted_direct(ann, ben)

    await a.goto(f"/c/{cid}")
    await a.get_by_role("link", name="Safety number").click()
    number = a.get_by_role("group", name="Safety number")
    await expect(number.locator(".digits")).to_have_count(12)
    digits = await number.locator(".digits").all_inner_texts()
    assert all(len(g) == 5 and g.isdigit() for g in digits)
    # Ben sees the same twelve groups on his side.
    await b.goto(f"/safety/{ann.id}")
    await expect(b.get_by_role("group", name="Safety number").locator(".digits")).to_have_text(digits)
    await shot(b, "e2ee-safety-number-phone")
    await a.get_by_role("button", name="Mark as verified").click()
    await expect(a.get_by_role("status")).to_have_text("You verified Ben Baker.")
    await verified_kept(a, ben.id)  # the status shows first; leaving the page must not lose the write
    await shot(a, "e2ee-safety-number-desktop")

    # Ben's keys change (a new device): Ann's conversation warns her.
    await a.goto(f"/c/{cid}")
    await expect(a.locator(".key-warnings")).to_have_count(0)
    await PyDevice(ben).publish()
    await a.reload()
    warning = a.locator(".key-warnings .warning")
    await expect(warning).to_contain_text("Ben Baker's safety number changed")
    await warning.get_by_role("link", name="Check it").click()
    await expect(a.get_by_role("alert")).to_contain_text("keys changed since you last saw them")
    changed = await a.get_by_role("group", name="Safety number").locator(".digits").all_inner_texts()
    assert changed != digits
    await a.get_by_role("button", name="Mark as verified").click()
    await verified_kept(a, ben.id)
    await a.goto(f"/c/{cid}")
    await expect(a.locator(".conv-head h2")).to_contain_text("Ben Baker")
    await expect(a.locator(".key-warnings")).to_have_count(0)
