"""The service worker's update path (static/sw.js): a new worker takes over
the open page by itself (skipWaiting + clients.claim), drops the previous
release's cache, and the app still opens with no network afterwards (the
new release's cache holds the shell before the old one is dropped)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import direct, page_until, shot
from tests.browser.test_offline import shell_cached

CURRENT, OLDER = "chatd-shell-v1", "chatd-shell-v0"


async def test_new_service_worker_takes_over_and_the_app_still_opens_offline(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    await ben.http.post(f"/conversations/{cid}/messages", json={"client_id": "sw-1", "body": "kept for later"})
    page = await ann.open(browser, path=f"/c/{cid}")
    await expect(page.locator(".msg .text")).to_have_text(["kept for later"])
    await shell_cached(page)

    # The cache on disk becomes a previous release's (its name is the
    # version), as if this page had been installed by an older chatd.
    await page.evaluate(f"""async () => {{
        const old = await caches.open("{OLDER}"), now = await caches.open("{CURRENT}");
        for (const request of await now.keys()) await old.put(request, await now.match(request));
        await caches.delete("{CURRENT}");
    }}""")
    took_over = await page.evaluate("""async () => {
        const changed = new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
        // Another script URL is a new worker even with the same bytes (the
        // server ignores the query): the browser's update path, on demand.
        await navigator.serviceWorker.register("/sw.js?release=next", { scope: "/" });
        await Promise.race([changed, new Promise((_, fail) => setTimeout(() => fail(new Error("no takeover")), 10000))]);
        return true;
    }""")
    assert took_over
    await page_until(page, f"""async () => {{
        const keys = await caches.keys();
        return keys.includes("{CURRENT}") && !keys.includes("{OLDER}");
    }}""")
    # The page kept working through the takeover.
    await expect(page.locator(".msg .text")).to_have_text(["kept for later"])

    await ann.context.set_offline(True)
    await page.reload()  # served by the new worker from its own cache
    await expect(page.locator(".msg .text")).to_have_text(["kept for later"])
    await expect(page.locator(".banner-offline")).to_be_visible()
    await shot(page, "sw-updated-offline-desktop")
    await ann.context.set_offline(False)
