"""A group after its creation, from its settings in the page: the owner adds
someone (who then has the group, live) and removes someone (who loses it,
live), and everyone's member count follows; a group picture set there shows
in another member's conversation list."""

from __future__ import annotations

import re

from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import PHONE, shot



async def group(owner, title, *members) -> str:
    r = await owner.http.post("/conversations", json={"kind": "group", "title": title,
                                                       "member_ids": [m.id for m in members]})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_owner_adds_and_removes_members_and_both_sides_see_it(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    cat = await people("cat", "Cat Cooper")
    cid = await group(ann, "Garden club", ben)
    a = await ann.open(browser, path=f"/c/{cid}")
    b = await ben.open(browser)
    c = await cat.open(browser)
    await expect(b.get_by_role("link", name="Garden club")).to_be_visible()
    await expect(c.locator(".sidebar-empty")).to_be_visible()  # Cat has no conversation yet

    await a.get_by_role("button", name="Members and settings").click()
    await a.get_by_role("button", name="Add people").click()
    await a.get_by_label("Add people").fill(cat.username)
    await a.get_by_role("button", name=f"Add Cat Cooper (@{cat.username})").click()
    settings = a.get_by_role("region", name="Group settings")
    await expect(settings.get_by_role("heading", name="Members (3)")).to_be_visible()
    await expect(a.locator(".conv-head .subtitle")).to_have_text("3 members")
    # Cat gets the group live, and Ben sees three members.
    await c.get_by_role("link", name="Garden club").click()
    await expect(c.locator(".conv-head .subtitle")).to_have_text("3 members")
    await b.get_by_role("link", name="Garden club").click()
    await expect(b.locator(".conv-head .subtitle")).to_have_text("3 members")
    await shot(a, "group-member-added-desktop")

    await settings.get_by_role("button", name="Remove Ben Baker").click()
    await expect(settings.get_by_role("heading", name="Members (2)")).to_be_visible()
    await expect(settings.get_by_text(f"@{ben.username}")).to_have_count(0)
    await expect(c.locator(".conv-head .subtitle")).to_have_text("2 members")
    # Ben loses the conversation: gone from his list, and the server agrees.
    await expect(b.get_by_role("link", name="Garden club")).to_have_count(0)
    await shot(b, "group-member-removed-desktop")
    r = await ben.http.get(f"/conversations/{cid}")
    assert r.status_code == 404
    await b.reload()
    await expect(b.get_by_role("link", name="Garden club")).to_have_count(0)


async def test_group_picture_set_in_settings_shows_in_another_members_list(browser, people, tmp_path):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Ben Baker")
    cid = await group(ann, "Photo club", ben)
    a = await ann.open(browser, path=f"/c/{cid}")
    b = await ben.open(browser)
    link = b.get_by_role("link", name="Photo club")
    await expect(link.locator(".avatar")).to_have_text("PC")  # initials before
    picture = tmp_path / "club.png"
    Image.new("RGB", (64, 64), "#c0392b").save(picture)
    await a.get_by_role("button", name="Members and settings").click()
    await a.get_by_label("Group picture").set_input_files(str(picture))

    img = link.locator(".avatar img")
    await expect(img).to_have_count(1)
    await expect(img).to_have_attribute("src", re.compile(rf"^/api/v1/conversations/{cid}/avatar\?v="))
    # The picture actually loads (a real image, not a broken one).
    await b.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=await img.element_handle())
    await shot(b, "group-picture-in-list-desktop")


async def test_group_settings_fit_a_phone_screen(browser, people):
    ann = await people("ann", "Ann Archer")
    ben = await people("ben", "Bartholomew Benedict Bakersfield-Longname")
    cid = await group(ann, "Garden club", ben)
    page = await ann.open(browser, viewport=PHONE, path=f"/c/{cid}")
    await page.get_by_role("button", name="Members and settings").click()
    await page.get_by_role("button", name="Add people").click()
    await page.get_by_label("Add people").fill("a")
    settings = page.get_by_role("region", name="Group settings")
    await expect(settings.get_by_role("button", name=re.compile("^Remove Bartholomew"))).to_be_in_viewport()
    # Nothing wider than the screen: no sideways scrolling inside the panel.
    assert await settings.evaluate("(e) => e.scrollWidth <= e.clientWidth"), await settings.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
    await shot(page, "group-settings-phone")
