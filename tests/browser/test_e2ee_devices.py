"""A person's devices in the web UI: signing in again on the same browser
keeps its device, another account there gets its own; Settings > Devices
lists every device and removes one (the removed browser is told, reads no
new message and does not put itself back); a full account (409
too_many_devices) is taken to that list and added once there is room."""

from __future__ import annotations

import asyncio
import hashlib

from playwright.async_api import expect

from tests.browser.conftest import PASSWORD, PHONE, page_until, shot, unnamed_controls
from tests.browser.e2ee_scene import PyDevice, devices, encrypted_direct, members, published


async def sign_in(page, username: str) -> None:
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("link", name="Settings")).to_be_visible()


async def sign_out(page) -> None:
    await page.get_by_role("link", name="Settings").click()
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def fingerprint(key: dict[str, str]) -> str:
    """A device's number as docs/e2ee.md defines it."""
    digest = hashlib.sha512(b"chatd-device-fp-v1\n" + key["ed25519"].encode()).digest()
    return " ".join(f"{int.from_bytes(digest[g * 5:g * 5 + 5], 'big') % 100000:05d}" for g in range(4))


async def stays(person, ids: set[str], seconds: float = 1.5) -> None:
    """The person's published device ids are `ids`, and still are a moment later."""
    await asyncio.sleep(seconds)
    assert {k["device_id"] for k in await devices(person)} == ids


async def test_signing_in_again_keeps_the_device_and_another_account_gets_its_own(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    page = await ann.open(browser)
    [first] = await published(ann)

    for _ in range(2):  # out and in again, twice: still the one device
        await sign_out(page)
        await sign_in(page, ann.username)
        await stays(ann, {first["device_id"]})
    await page.goto("/settings")
    own = page.locator(".device", has=page.locator(".this-device"))
    await expect(own).to_contain_text(first["device_id"][:8])

    # Ben on the same browser: a device of his own, made from keys of his own.
    await sign_out(page)
    await sign_in(page, ben.username)
    [bens] = await published(ben)
    assert bens["device_id"] != first["device_id"] and bens["ed25519"] != first["ed25519"]
    names = await page.evaluate("indexedDB.databases().then((d) => d.map((x) => x.name).sort())")
    assert names == ["chatd", f"chatd-keys-{ann.id}", f"chatd-keys-{ben.id}"]
    # And Ann back again: her device, untouched by Ben's visit.
    await sign_out(page)
    await sign_in(page, ann.username)
    await stays(ann, {first["device_id"]})
    await stays(ben, {bens["device_id"]}, seconds=0)


async def test_devices_list_removes_a_device_live(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    conversation_id = await encrypted_direct(ben, ann)
    bens = PyDevice(ben)
    await bens.publish()
    desk = await ann.open(browser, path="/settings")
    [desk_device] = await published(ann)
    desk_context = ann.context
    phone = await ann.open(browser, viewport=PHONE, path="/settings")
    keys = await published(ann, 2)
    phone_device = next(k for k in keys if k["device_id"] != desk_device["device_id"])
    try:
        for page in (desk, phone):
            await expect(page.get_by_role("list", name="Your devices").locator(".device")).to_have_count(2)
            await expect(page.locator(".this-device")).to_have_count(1)
        await expect(desk.locator(".device", has=desk.locator(".this-device"))).to_contain_text(desk_device["device_id"][:8])
        await desk.locator("#devices").scroll_into_view_if_needed()
        await shot(desk, "e2ee-devices-desktop")
        await phone.locator("#devices").scroll_into_view_if_needed()
        await shot(phone, "e2ee-devices-phone")
        assert await unnamed_controls(desk) == [] and await unnamed_controls(phone) == []

        # Both read what Ben sends now.
        await bens.send(conversation_id, bens.seal(conversation_id, "before the removal", await members(ben, conversation_id)))
        await phone.goto(f"/c/{conversation_id}")
        await expect(phone.locator(".msg.theirs .text")).to_have_text("before the removal")

        # The desktop removes the phone, after saying what that means.
        await desk.get_by_role("button", name=f"Remove device {fingerprint(phone_device)}").click()
        assert "no longer be able to read new encrypted messages" in ann.dialogs[-1]
        assert "already shows stays readable" in ann.dialogs[-1]
        await expect(desk.get_by_role("list", name="Your devices").locator(".device")).to_have_count(1)
        assert [k["device_id"] for k in await devices(ann)] == [desk_device["device_id"]]

        # The phone is told at once (user.updated), keeps what it read, and
        # gets no key to anything new.
        await expect(phone.get_by_role("alert").filter(has_text="This browser's device was removed from your account")).to_be_visible()
        await bens.send(conversation_id, bens.seal(conversation_id, "after the removal", await members(ben, conversation_id)))
        await expect(phone.locator(".msg.theirs")).to_have_count(2)
        await expect(phone.locator(".msg.theirs .text")).to_have_text("before the removal")
        await expect(phone.locator(".undecryptable")).to_contain_text("this browser's device was removed from your account")
        await desk.goto(f"/c/{conversation_id}")
        await expect(desk.locator(".msg.theirs .text")).to_have_text(["before the removal", "after the removal"])

        # A reload does not put the removed device back.
        await phone.reload()
        await expect(phone.get_by_role("alert").filter(has_text="This browser's device was removed from your account")).to_be_visible()
        await stays(ann, {desk_device["device_id"]})
        await shot(phone, "e2ee-device-removed-phone")
        await phone.goto("/settings")
        await expect(phone.locator(".this-device")).to_have_count(0)

        # Its login session ends too when the desktop signs out everywhere else.
        # Settings' own button: the security notice of the removal may offer
        # the same action in its banner at this moment (timing), one more match.
        await desk.goto("/settings")
        await desk.locator("#devices").get_by_role("button", name="Sign out everywhere else").click()
        await expect(desk.get_by_role("alert").filter(has_text="Every other browser is signed out")).to_be_visible()
        await phone.reload()
        await expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
        await desk.reload()
        await expect(desk.get_by_role("heading", name="Settings")).to_be_visible()
    finally:
        await desk_context.close()


async def test_removing_this_device_signs_out_and_erases_its_keys(browser, people):
    ann = await people("ann", "Ann Archer")
    page = await ann.open(browser, path="/settings")
    await published(ann)
    await page.get_by_role("button", name="Remove this device").click()
    assert "Its keys are erased here" in ann.dialogs[-1]
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert await devices(ann) == []
    # The sign-in form shows as the sign-out ends; the keys' database is deleted after it.
    await page_until(page, "async () => (await indexedDB.databases()).length === 0")


async def test_a_full_account_is_taken_to_its_devices(browser, people):
    ann = await people("ann", "Ann Archer")
    others = [PyDevice(ann) for _ in range(32)]
    for device in others:
        await device.publish()
    page = await ann.open(browser)
    await expect(page).to_have_url(f"{ann.server.url}/settings")
    alert = page.locator("#devices").get_by_role("alert")
    await expect(alert).to_contain_text("could not be added as a device")
    await expect(page.locator(".device")).to_have_count(32)
    await expect(page.locator(".this-device")).to_have_count(0)
    await shot(page, "e2ee-devices-full-desktop")
    # The same from the sign-in form.
    await sign_out(page)
    await page.get_by_label("Username").fill(ann.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url(f"{ann.server.url}/settings")
    await expect(alert).to_contain_text("could not be added as a device")
    # One removed: this browser takes its place.
    remove = page.get_by_role("button", name="Remove device").first
    await remove.click()
    await expect(page.locator(".this-device")).to_have_count(1)
    await expect(alert).to_have_count(0)
    keys = await devices(ann)
    assert len(keys) == 32
    assert sum(k["device_id"] not in {d.device_id for d in others} for k in keys) == 1


async def ann_reads_ben(browser, people):
    """Ben (no device yet), Ann's page open on their encrypted conversation."""
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    conversation_id = await encrypted_direct(ben, ann)
    page = await ann.open(browser, path=f"/c/{conversation_id}")
    await published(ann)
    await expect(page.locator(".composer")).to_be_visible()
    return ben, conversation_id, page


async def test_each_new_sending_device_is_learned_while_the_page_is_open(browser, people):
    # Ben has no device when Ann's page opens: his first message makes the
    # page fetch his devices. A second new device seconds later must make it
    # fetch again (it once waited a minute per person and showed the second
    # message as unreadable).
    ben, conversation_id, page = await ann_reads_ben(browser, people)
    # The second device sends two back to back: both wait for the one fetch.
    shown: list[str] = []
    for texts in (["from the first"], ["from the second", "and again"]):
        device = PyDevice(ben)
        await device.publish()
        to = await members(ben, conversation_id)
        for text in texts:
            await device.send(conversation_id, device.seal(conversation_id, text, to))
        shown += texts
        await expect(page.locator(".msg.theirs .text")).to_have_text(shown)
    await expect(page.locator(".undecryptable")).to_have_count(0)


async def test_a_device_lookup_the_server_did_not_answer_is_asked_again(browser, people):
    # The lookup of Ben's new device fails (a 503): that message cannot be
    # checked. The next one from the same device asks again, within the minute.
    ben, conversation_id, page = await ann_reads_ben(browser, people)
    asked: list[str] = []

    async def unavailable(route):
        asked.append(route.request.url)
        await route.fulfill(status=503, content_type="application/problem+json",
                            body='{"title": "Service Unavailable", "status": 503}')

    await page.route(f"**/api/v1/users/{ben.id}", unavailable)
    device = PyDevice(ben)
    await device.publish()
    to = await members(ben, conversation_id)
    await device.send(conversation_id, device.seal(conversation_id, "while it failed", to))
    await expect(page.locator(".undecryptable")).to_have_count(1)
    assert asked
    await page.unroute(f"**/api/v1/users/{ben.id}")
    await device.send(conversation_id, device.seal(conversation_id, "after it came back", to))
    await expect(page.locator(".msg.theirs .text")).to_have_text(["after it came back"])


# What an older version left: the device keys in the "chatd" database.
TO_LEGACY = """async (userId) => {
  const open = (name, version) => new Promise((ok, fail) => {
    const r = version ? indexedDB.open(name, version) : indexedDB.open(name);
    r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error);
  });
  const done = (tx) => new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
  const keys = await open(`chatd-keys-${userId}`);
  const tx = keys.transaction(["keys", "meta"]);
  const records = new Promise((ok) => { tx.objectStore("keys").getAll().onsuccess = (e) => ok(e.target.result); });
  const device = new Promise((ok) => { tx.objectStore("meta").get("device").onsuccess = (e) => ok(e.target.result); });
  const [list, id] = [await records, await device];
  keys.close();
  await new Promise((ok) => { indexedDB.deleteDatabase(`chatd-keys-${userId}`).onsuccess = ok; });
  const old = await open("chatd");
  const put = old.transaction(["keys", "meta"], "readwrite");
  for (const r of list) put.objectStore("keys").put({ ...r, published: undefined });
  put.objectStore("meta").put(id, "device");
  await done(put);
  old.close();
  return id;
}"""


async def test_keys_an_older_version_kept_are_adopted(browser, people):
    ann = await people("ann", "Ann Archer")
    page = await ann.open(browser)
    [first] = await published(ann)
    await page.goto("/static/icons/icon.svg")  # same origin, no app holding the databases open
    assert await page.evaluate(TO_LEGACY, ann.id) == first["device_id"]
    await page.goto("/settings")
    own = page.locator(".device", has=page.locator(".this-device"))
    await expect(own).to_contain_text(first["device_id"][:8])
    await stays(ann, {first["device_id"]})


async def test_a_message_from_a_removed_device_says_so(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    conversation_id = await encrypted_direct(ben, ann)
    old = PyDevice(ben)
    await old.publish()
    page = await ann.open(browser, path=f"/c/{conversation_id}")
    await published(ann)
    await old.send(conversation_id, old.seal(conversation_id, "read in time", await members(ben, conversation_id)))
    await expect(page.locator(".msg.theirs .text")).to_have_text("read in time")
    # Ben removes that device and writes from a new one: Ann's page learns
    # his devices anew (the new one is unknown to it) and reads that.
    assert (await ben.http.delete(f"/me/keys/{old.device_id}")).status_code == 200
    new = PyDevice(ben)
    await new.publish()
    await new.send(conversation_id, new.seal(conversation_id, "from the new one", await members(ben, conversation_id)))
    await expect(page.locator(".msg.theirs .text")).to_have_text(["read in time", "from the new one"])
    # What was read and checked while the device was listed stays readable, reloads included.
    for _ in range(2):
        # The kept copy paints first; the server's page (opened again) comes after.
        async with page.expect_response(lambda r: f"/conversations/{conversation_id}/messages" in r.url):
            await page.reload()
        await asyncio.sleep(0.5)
        await expect(page.locator(".msg.theirs")).to_have_count(2)
        await expect(page.locator(".msg.theirs .text")).to_have_text(["read in time", "from the new one"])
        await expect(page.locator(".undecryptable")).to_have_count(0)
    # A browser that never read it cannot check it, and says why in words.
    await page.context.close()
    fresh = await ann.open(browser, path=f"/c/{conversation_id}")
    await expect(fresh.locator(".msg.theirs")).to_have_count(2)
    await expect(fresh.locator(".undecryptable").first).to_contain_text(
        "sent from a device that is not on the sender's account now (removed, or never added), so it cannot be checked")
