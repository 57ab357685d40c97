"""Desktop notifications: once turned on in Settings, a message from someone
else while the tab is hidden raises one; while the tab is shown, none."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import direct

# Headless Chromium shows no real notifications and its tab is never hidden:
# record what the page asks for, and let the test say when the tab is hidden.
RECORD = """
window.__hidden = false;
window.__notes = [];
Object.defineProperty(Document.prototype, "visibilityState", { get: () => (window.__hidden ? "hidden" : "visible") });
class Recorded { constructor(title, options) { window.__notes.push([title, options.body]); }
  static get permission() { return "granted"; } static requestPermission() { return Promise.resolve("granted"); } }
window.Notification = Recorded;
"""


async def test_notification_when_hidden_only(browser, people):
    ann, ben = await people("ann", "Ann Archer"), await people("ben", "Ben Baker")
    cid = await direct(ben, ann)
    page = await ann.open(browser, path="/settings")
    await page.add_init_script(RECORD)
    await page.reload()
    await page.get_by_label("Desktop notifications").check()
    await expect(page.get_by_label("Desktop notifications")).to_be_checked()
    await page.get_by_role("link", name="Ben Baker").click()
    await expect(page.get_by_role("textbox", name="Message")).to_be_visible()

    await ben.http.post(f"/conversations/{cid}/messages", json={"client_id": "n1", "body": "seen in the tab"})
    await expect(page.locator(".msg .text")).to_have_text(["seen in the tab"])
    await page.evaluate("window.__hidden = true")
    await ben.http.post(f"/conversations/{cid}/messages", json={"client_id": "n2", "body": "are you there?"})
    await expect(page.locator(".msg .text").last).to_have_text("are you there?")
    assert await page.evaluate("window.__notes") == [["Ben Baker", "are you there?"]]
