"""Encrypted attachments in the web UI: an image is encrypted in the browser
(64 KiB chunks), uploaded with ?encrypted=true with a thumbnail made by the
browser, and decrypted again on both sides; the media folder holds no
plaintext byte pattern. A member added later cannot read what came before.
Search finds encrypted messages on the device that decrypted them."""

from __future__ import annotations

import re
import io

from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import PHONE, shot, stored
from tests.browser.e2ee_scene import PyDevice, encrypted_direct, encrypted_group, flag_for, published


def striped_png(width: int = 640, height: int = 400) -> bytes:
    """An image with a text-like marker in its bytes (PNG tEXt), to grep for."""
    from PIL.PngImagePlugin import PngInfo

    image = Image.new("RGB", (width, height))
    image.putdata([((x * 3) % 256, (y * 5) % 256, 120) for y in range(height) for x in range(width)])
    info = PngInfo()
    info.add_text("Comment", "pomegranate-secret-9931")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


async def test_encrypted_image_round_trip(browser, chatd_server, people):
    ann, ben = await people("ann", "Ann Archer"), await people("ben", "Ben Baker")
    page = await ann.open(browser)
    other = await ben.open(browser, viewport=PHONE)
    await published(ann)
    await published(ben)
    cid = await encrypted_direct(ann, ben)
    await page.goto(f"/c/{cid}")
    await other.goto(f"/c/{cid}")
    png = striped_png()
    doc = b"pomegranate-secret-9931 in a text file\n" * 4000  # 156 KB: three chunks
    await page.get_by_label("Choose files").set_input_files(
        [{"name": "garden.png", "mimeType": "image/png", "buffer": png},
         {"name": "plan.txt", "mimeType": "text/plain", "buffer": doc}])
    await expect(page.locator(".uploads .muted", has_text="Ready")).to_have_count(2, timeout=20_000)
    box = page.get_by_role("textbox", name="Message")
    await box.fill("the garden plan")
    await box.press("Enter")

    # The server got ciphertext only: file, thumbnail and text file, all octet-stream, no thumbnail of its own.
    [message] = await stored(ben, cid, 1)
    assert message["kind"] == "encrypted" and message["body"] is None and len(message["attachments"]) == 3
    meta = (await ben.http.get(f"/conversations/{cid}/attachments",
                               params={"ids": ",".join(message["attachments"])})).json()["items"]
    assert {(m["content_type"], m["encrypted"], m["thumbnail"]) for m in meta} == {("application/octet-stream", True, False)}
    sizes = sorted(m["size"] for m in meta)
    assert len(png) + 16 * ((len(png) + 65535) // 65536) in sizes
    assert len(doc) + 16 * 3 in sizes

    # Ben sees the thumbnail inline, decrypted from a blob: URL, opens the full image and downloads the file.
    received = other.locator(".msg.theirs")
    thumb = received.locator(".image-preview img")
    await expect(thumb).to_have_attribute("src", re.compile(r"^blob:"))
    await other.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=await thumb.element_handle())
    assert await thumb.evaluate("(img) => img.naturalWidth") <= 320
    await shot(other, "e2ee-image-phone")
    await received.get_by_role("button", name="Open image garden.png").click()
    full = other.get_by_role("dialog", name="garden.png").locator("img")
    await other.wait_for_function("(img) => img.complete && img.naturalWidth === 640", arg=await full.element_handle())
    # The decrypted picture is the one sent, pixel for pixel where checked.
    pixels = await full.evaluate("""(img) => {
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
      const g = canvas.getContext("2d");
      g.drawImage(img, 0, 0);
      return [[0, 0], [101, 57], [639, 399]].map(([x, y]) => [...g.getImageData(x, y, 1, 1).data.slice(0, 3)]);
    }""")
    assert pixels == [[(x * 3) % 256, (y * 5) % 256, 120] for x, y in [(0, 0), (101, 57), (639, 399)]]
    await other.get_by_role("button", name="Close").click()
    async with other.expect_download() as info:
        await received.get_by_role("button", name="Download plan.txt").click()
    download = await info.value
    assert download.suggested_filename == "plan.txt"
    assert open(await download.path(), "rb").read() == doc
    await expect(page.locator(".msg.mine .image-preview img")).to_have_attribute("src", re.compile(r"^blob:"))
    await shot(page, "e2ee-image-desktop")

    # Neither the marker nor the picture's bytes are anywhere on the server.
    for path in chatd_server.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"pomegranate-secret" not in data and png[100:164] not in data, path


async def test_later_member_cannot_read_earlier_messages_and_search(browser, people):
    ann, ben, cat = (await people("ann", "Ann Archer"), await people("ben", "Ben Baker"),
                     await people("cat", "Cat Carter"))
    a = await ann.open(browser)
    c = await cat.open(browser)
    await published(ann)
    await published(cat)
    await PyDevice(ben).publish()
    cid = await encrypted_group(ann, "Garden club", [ben])
    await a.goto(f"/c/{cid}")
    box = a.get_by_role("textbox", name="Message")
    await box.fill("before Cat: the tulip bulbs are hidden")
    await box.press("Enter")
    await stored(ann, cid, 1)
    r = await ann.http.post(f"/conversations/{cid}/members", json={"user_ids": [cat.id]})
    assert r.status_code in (200, 201), r.text
    await box.fill("after Cat joined: welcome")
    await box.press("Enter")
    await stored(ann, cid, 2)
    items = await stored(ann, cid, 2)
    assert f"{cat.id}:" not in " ".join(items[0]["envelope"]["keys"])
    assert f"{cat.id}:" in " ".join(items[1]["envelope"]["keys"]) and f"{ben.id}:" in " ".join(items[1]["envelope"]["keys"])
    # Ben is removed: his devices get no key to what is sent next.
    assert (await ann.http.delete(f"/conversations/{cid}/members/{ben.id}")).status_code in (200, 204)
    await box.fill("after Ben left")
    await box.press("Enter")
    items = await stored(ann, cid, 3)
    assert f"{ben.id}:" not in " ".join(items[2]["envelope"]["keys"])

    await c.goto(f"/c/{cid}")
    await expect(c.locator(".msg.theirs .text")).to_have_text(["after Cat joined: welcome", "after Ben left"])
    warning = c.locator(".undecryptable")
    await expect(warning).to_have_count(1)
    await expect(warning).to_contain_text("No key for this device: sent before you joined")
    assert "tulip" not in await c.locator(".messages").inner_text()

    # The server's search skips encrypted messages; the browser searches what it decrypted.
    assert (await ann.http.get("/search", params={"q": "tulip"})).json()["items"] == []
    await a.get_by_role("link", name="Search").click()
    await a.get_by_label("Search messages").fill("tulip bulbs")
    await a.get_by_role("button", name="Search").click()
    hit = a.locator(".hits li")
    await expect(hit).to_have_count(1)
    await expect(hit).to_contain_text("before Cat: the tulip bulbs are hidden")
    await expect(hit.get_by_role("img", name="Encrypted, found on this device")).to_be_visible()
    await c.get_by_role("link", name="Search").click()
    await c.get_by_label("Search messages").fill("tulip")
    await c.get_by_role("button", name="Search").click()
    await expect(c.get_by_text("Nothing found.")).to_be_visible()


async def test_groups_choose_encryption_and_can_turn_it_on(browser, chatd_server, people):
    ann, ben = await people("ann", "Ann Archer"), await people("ben", "Ben Baker")
    await flag_for(chatd_server, "e2ee_default", [ann])
    page = await ann.open(browser, path="/new")
    await published(ann)
    await page.get_by_role("tab", name="Group").click()
    choice = page.get_by_label("End-to-end encrypted")
    await expect(choice).to_be_checked()  # as the e2ee_default flag says
    await choice.uncheck()
    await page.get_by_label("Group name").fill("Open plans")
    await page.get_by_label("Find people").fill(ben.username)
    await page.get_by_role("button", name=f"Ben Baker (@{ben.username})").click()
    await page.get_by_role("button", name="Create group").click()
    await expect(page.locator(".conv-head h2")).to_have_text("Open plans")
    await expect(page.locator(".conv-head h2 .lock")).to_have_count(0)
    cid = page.url.rsplit("/", 1)[1]
    assert (await ann.http.get(f"/conversations/{cid}")).json()["e2ee"] is False
    # The owner turns encryption on (asked first; it cannot be undone).
    await page.get_by_role("button", name="Members and settings").click()
    await page.get_by_role("button", name="Turn on end-to-end encryption").click()
    await expect(page.locator(".conv-head h2 .lock")).to_be_visible()
    assert "cannot be turned off" in ann.dialogs[-1]
    assert (await ann.http.get(f"/conversations/{cid}")).json()["e2ee"] is True
    box = page.get_by_role("textbox", name="Message")
    await box.fill("now sealed")
    await box.press("Enter")
    [message] = await stored(ann, cid, 1)
    assert message["kind"] == "encrypted" and message["body"] is None
