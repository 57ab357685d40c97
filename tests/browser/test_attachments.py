"""Attachments from the composer: an image uploads with a progress bar and a
preview, is sent with the message, shows as a thumbnail on both sides and
opens in a lightbox; other files show as a file card."""

from __future__ import annotations

import io
import os

from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import direct, shot, stored


def noisy_png(width: int = 900, height: int = 600) -> bytes:
    """~1.6 MB that does not compress: enough bytes for a visible progress bar."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


async def test_upload_with_progress_preview_and_lightbox(browser, people):
    ann, ben = await people("ann", "Ann Archer"), await people("ben", "Ben Baker")
    cid = await direct(ann, ben)
    page = await ann.open(browser, path=f"/c/{cid}")
    other = await ben.open(browser, path=f"/c/{cid}")
    await expect(page.get_by_role("textbox", name="Message")).to_be_visible()

    # Slow the upload down (DevTools network throttling) so the progress bar is seen moving.
    cdp = await ann.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                         "downloadThroughput": -1, "uploadThroughput": 1_000_000})
    png = noisy_png()
    await page.get_by_label("Choose files").set_input_files(
        [{"name": "photo.png", "mimeType": "image/png", "buffer": png},
         {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"meeting notes\n"}])
    bar = page.get_by_role("progressbar", name="Uploading photo.png")
    await expect(bar).to_be_visible()
    await expect(page.locator(".uploads img.upload-thumb")).to_have_count(1)  # local preview while it uploads
    value = float(await bar.get_attribute("value") or 0)
    assert 0 <= value < 1
    await shot(page, "upload-progress-desktop")
    await expect(page.locator(".uploads progress")).to_have_count(0, timeout=20_000)  # both done
    await cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                         "downloadThroughput": -1, "uploadThroughput": -1})
    box = page.get_by_role("textbox", name="Message")
    await box.fill("the whiteboard")
    await box.press("Enter")

    sent = page.locator(".msg.mine")
    await expect(sent.locator(".image-preview img")).to_have_count(1)
    await expect(sent.locator(".file-card")).to_contain_text("notes.txt")
    [message] = await stored(ben, cid, 1)
    assert message["body"] == "the whiteboard" and len(message["attachments"]) == 2

    # Ben sees the thumbnail (its metadata looked up by id) and opens the full image.
    received = other.locator(".msg.theirs")
    thumb = received.locator(".image-preview img")
    await expect(thumb).to_have_count(1)
    await expect(thumb).to_have_js_property("complete", True)
    assert await thumb.evaluate("img => img.naturalWidth") > 0
    await expect(received.locator(".file-card")).to_contain_text("notes.txt")
    await received.get_by_role("button", name="Open image photo.png").click()
    lightbox = other.get_by_role("dialog", name="photo.png")
    await expect(lightbox.locator("img")).to_have_js_property("naturalWidth", 900)
    await shot(other, "lightbox-desktop")
    await other.keyboard.press("Escape")
    await expect(lightbox).to_have_count(0)
    await shot(other, "attachments-desktop")


DROP_AND_PASTE = """async ([kind]) => {
  const data = new DataTransfer();
  data.items.add(new File(["plain words\\n"], kind + ".txt", { type: "text/plain" }));
  const composer = document.querySelector(".composer");
  if (kind === "dropped") composer.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  else document.querySelector(".composer-input")
    .dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""


async def test_files_by_drag_and_drop_and_paste(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    page = await ann.open(browser, path=f"/c/{cid}")
    await expect(page.get_by_role("textbox", name="Message")).to_be_visible()
    await page.evaluate(DROP_AND_PASTE, ["dropped"])
    await page.evaluate(DROP_AND_PASTE, ["pasted"])
    await expect(page.locator(".uploads .upload")).to_have_count(2)
    await expect(page.locator(".uploads progress")).to_have_count(0, timeout=15_000)
    await page.get_by_role("textbox", name="Message").press("Enter")  # files alone, no text
    await expect(page.locator(".msg.mine .file-card")).to_have_count(2)
    [message] = await stored(ben, cid, 1)
    names = sorted(a["filename"] for a in (await ben.http.get(
        f"/conversations/{cid}/attachments", params={"ids": ",".join(message["attachments"])})).json()["items"])
    assert names == ["dropped.txt", "pasted.txt"]
