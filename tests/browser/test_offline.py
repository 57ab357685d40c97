"""Offline first: a reload paints history from IndexedDB before the network
answers; with no network at all the service worker still serves the app,
sends typed offline wait in the outbox and each goes out exactly once, in
order, when the network is back."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from tests.browser.conftest import direct, history, idb_until, page_until, shot


async def shell_cached(page) -> None:
    """Wait until the service worker controls the page and holds the app's modules."""
    await page.evaluate("navigator.serviceWorker.ready")
    await page_until(page, """async () => {
        const cache = await caches.open('chatd-shell-v1');
        const keys = (await cache.keys()).map((r) => new URL(r.url).pathname);
        return ['/', '/static/app/main.js', '/static/vendor/preact/preact.mjs', '/static/app/app.css']
            .every((p) => keys.includes(p));
    }""")


async def test_reload_paints_history_from_indexeddb_before_the_network(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    for text in ["first from ben", "second from ben"]:
        r = await ben.http.post(f"/conversations/{cid}/messages", json={"client_id": text.replace(" ", "-"), "body": text})
        assert r.status_code == 201
    page = await ann.open(browser, path=f"/c/{cid}")
    await expect(page.locator(".msg .text").last).to_have_text("second from ben")
    # The page shows them at once; IndexedDB holds them (and the conversation) a moment later.
    await idb_until(page, "messages", "(entries, id) => entries.filter(([, m]) => m.conversation_id === id).length === 2", cid)
    await idb_until(page, "conversations", "(entries, id) => entries.some(([k]) => k === id)", cid)

    # Hold every API answer: what shows now can only come from IndexedDB.
    held = asyncio.Event()

    async def hold(route):
        await held.wait()
        await route.continue_()

    await page.route("**/api/v1/**", hold)
    await page.reload()
    await expect(page.locator(".msg .text")).to_have_text(["first from ben", "second from ben"])
    await expect(page.get_by_role("heading", name=ben.username)).to_be_visible()
    held.set()
    await page.unroute_all(behavior="wait")


async def test_offline_reload_queue_and_send_once_in_order(browser, people):
    ann, ben = await people("ann"), await people("ben")
    cid = await direct(ann, ben)
    await ann.http.post(f"/conversations/{cid}/messages", json={"client_id": "hello-1", "body": "before the tunnel"})
    page = await ann.open(browser, path=f"/c/{cid}")
    await expect(page.locator(".msg .text")).to_have_text(["before the tunnel"])
    await shell_cached(page)

    await ann.context.set_offline(True)
    await page.reload()  # no network: the service worker serves the shell
    await expect(page.locator(".banner-offline")).to_be_visible()
    await expect(page.locator(".msg .text").first).to_have_text("before the tunnel")
    box = page.get_by_role("textbox", name="Message")
    for n in (1, 2, 3):
        await box.fill(f"offline {n}")
        await box.press("Enter")
    await expect(page.locator(".msg.pending")).to_have_count(3)
    await expect(page.locator(".banner-offline")).to_contain_text("3 messages will be sent")
    await shot(page, "offline-desktop")
    # Nothing reached the server.
    assert [m["body"] for m in await history(ben, cid)] == ["before the tunnel"]

    # A reload while still offline keeps the queue (IndexedDB).
    await page.reload()
    await expect(page.locator(".msg.pending")).to_have_count(3)

    # Ben writes while Ann is away: she gets it when she is back (resume).
    r = await ben.http.post(f"/conversations/{cid}/messages", json={"client_id": "while-away", "body": "while you were out"})
    assert r.status_code == 201
    await ann.context.set_offline(False)
    await expect(page.locator(".msg.pending")).to_have_count(0, timeout=15_000)
    await expect(page.locator(".banner-offline")).to_have_count(0)
    bodies = [m["body"] for m in await history(ben, cid)]
    assert bodies == ["before the tunnel", "while you were out", "offline 1", "offline 2", "offline 3"]
    await expect(page.locator(".msg .text")).to_have_text(bodies)
