"""GraphiQL at GET /api/v1/graphql, in a real browser under the strict CSP:
its files come from /static/vendor, it runs a query with the page's cookie
session (CSRF header from init.js), and nothing is refused by the policy."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser.conftest import PASSWORD


async def test_graphiql_runs_a_query_with_the_cookie_session(browser, people, chatd_server):
    ann = await people("ann")
    async with httpx.AsyncClient(base_url=chatd_server.url, trust_env=False) as http:
        login = await http.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        r = await http.put("/api/v1/admin/features/graphql", json={"state": "off", "users": [ann.username]},
                           headers=admin)
        assert r.status_code == 200, r.text
    try:
        console: list[str] = []
        page = await ann.open(browser, path="/static/favicon.svg")
        page.on("console", lambda m: console.append(m.text))
        page.on("requestfailed", lambda r: console.append("failed " + r.url))
        page.on("response", lambda r: r.status >= 400 and console.append(f"{r.status} {r.url}"))
        await page.goto("/api/v1/graphql")
        await expect(page.locator(".graphiql-container")).to_be_visible(timeout=15_000)
        await page.locator(".graphiql-execute-button").click()
        await expect(page.locator(".graphiql-response")).to_contain_text(f'"username": "{ann.username}"',
                                                                         timeout=10_000)
        assert not [m for m in console if "Content Security Policy" in m or "Refused" in m or "blocked" in m
                    or m.startswith(("4", "5", "failed"))], console
    finally:
        async with httpx.AsyncClient(base_url=chatd_server.url, trust_env=False) as http:
            await http.put("/api/v1/admin/features/graphql", json={"state": "off"}, headers=admin)
