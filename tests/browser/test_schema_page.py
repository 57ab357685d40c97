"""/schema (Swagger UI) works under its Content-Security-Policy: no inline
script, every file from chatd itself, and the browser refuses nothing."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import DESKTOP


async def test_swagger_ui_renders_under_the_policy(browser, chatd_server):
    context = await browser.new_context(viewport=DESKTOP, base_url=chatd_server.url)
    page = await context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    other_hosts: list[str] = []
    page.on("request", lambda r: not r.url.startswith(chatd_server.url) and other_hosts.append(r.url))
    await page.goto("/schema")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("chatd")
    await expect(page.locator(".opblock-tag-section").first).to_be_visible()
    assert refused == [] and other_hosts == []
    await context.close()
