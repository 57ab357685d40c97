"""The web UI in a real browser: Debian's Chromium driven by Playwright's
async API, against a real `chatd serve` subprocess (a free port, a temp data
dir). One browser for the session, a fresh context (its own cookies,
IndexedDB and service worker) per person.

Without /usr/bin/chromium these tests skip locally, with the reason; with
CI=true they fail (.ci/start-servers installs it).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.conftest import need_server

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery"
MAX_CHARS = 500  # small, so a refused send is easy to make
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
_names = itertools.count(1)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    # Session-scoped, so the browser (bound to one event loop) serves every test.
    return "asyncio"


@pytest.fixture(scope="session")
def chatd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    config: dict[str, dict[str, Any]] = {
        "limits": {"messages_per_minute": 100_000, "max_message_chars": MAX_CHARS},
        "auth": {"login_attempts_per_minute": 1000},
        "realtime": {"presence_grace_seconds": 0.5, "typing_ttl_seconds": 4.0},
    }
    with served_with_admin(ServerProcess(tmp_path_factory.mktemp("webui"), config=config, env=BENCH_ENV)) as server:
        yield server


@contextmanager
def served_with_admin(server: ServerProcess) -> Iterator[ServerProcess]:
    """Start `server`, register its first account (the admin; tests that need
    one sign in as it), stop it at the end."""
    asyncio.run(server.start())
    r = httpx.post(f"{server.url}/api/v1/auth/register", json={"username": "admin", "password": PASSWORD},
                   trust_env=False)
    assert r.status_code == 201, r.text
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not os.path.exists(CHROMIUM):
        need_server(f"Chromium at {CHROMIUM}", FileNotFoundError("apt-get install -y chromium"))
    try:
        from playwright.async_api import async_playwright
    except ImportError as err:
        need_server("Playwright (pip install -e '.[test]')", err)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        await browser.close()


class Person:
    """A registered user with a browser context and page of their own, and
    a REST client (bearer) for setting the scene and checking the truth."""

    def __init__(self, server: ServerProcess, username: str, body: dict[str, Any]):
        self.server = server
        self.username = username
        self.id: str = body["user"]["id"]
        self.http = httpx.AsyncClient(base_url=server.url + "/api/v1", trust_env=False, timeout=10,
                                      headers={"Authorization": f"Bearer {body['token']}"})
        self.context: Any = None
        self.page: Any = None
        self.dialogs: list[str] = []

    async def open(self, browser: Any, viewport: dict[str, int] = DESKTOP, path: str = "/") -> Any:
        """A new context signed in with the session cookie, showing `path`."""
        self.context = await browser.new_context(viewport=viewport, base_url=self.server.url)
        async with httpx.AsyncClient(base_url=self.server.url, trust_env=False) as http:
            r = await http.post("/api/v1/auth/login", json={"username": self.username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            cookies = [{"name": c.name, "value": c.value, "url": self.server.url} for c in http.cookies.jar]
        await self.context.add_cookies(cookies)
        self.page = await self.context.new_page()
        self.page.on("dialog", self._on_dialog)
        await self.page.goto(path)
        return self.page

    async def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        await dialog.accept()

    async def close(self) -> None:
        await self.http.aclose()
        if self.context is not None:
            await self.context.close()


async def register(server: ServerProcess, prefix: str = "u", display_name: str | None = None) -> Person:
    username = f"{prefix}{next(_names)}"
    body = {"username": username, "password": PASSWORD} | ({"display_name": display_name} if display_name else {})
    async with httpx.AsyncClient(trust_env=False) as http:
        r = await http.post(f"{server.url}/api/v1/auth/register", json=body)
    assert r.status_code == 201, r.text
    return Person(server, username, r.json())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call":
        item.failed_call = report.failed  # type: ignore[attr-defined]
    return report


@pytest.fixture
async def people(chatd_server: ServerProcess, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """make(prefix, display_name) -> a registered Person; all closed after the
    test (a failed test leaves a screenshot of each person's page)."""
    made: list[Person] = []

    async def make(prefix: str = "u", display_name: str | None = None) -> Person:
        person = await register(chatd_server, prefix, display_name)
        made.append(person)
        return person

    yield make
    for person in made:
        if getattr(request.node, "failed_call", False) and person.page is not None:
            await shot(person.page, f"failed-{request.node.name}-{person.username}")
        await person.close()


async def direct(a: Person, b: Person) -> str:
    r = await a.http.post("/conversations", json={"kind": "direct", "user_id": b.id})
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


async def history(person: Person, conversation_id: str) -> list[dict[str, Any]]:
    r = await person.http.get(f"/conversations/{conversation_id}/messages", params={"limit": 200})
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def stored(person: Person, conversation_id: str, count: int, timeout: float = 10.0,
                 until: Any = None) -> list[dict[str, Any]]:
    """The server's history once it holds `count` messages (and `until(items)`
    holds): a page shows a send or an edit at once (optimistic), the server
    has it a moment later."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        items = await history(person, conversation_id)
        done = len(items) >= count and (until is None or until(items))
        if done or asyncio.get_running_loop().time() > deadline:
            return items
        await asyncio.sleep(0.1)


async def page_until(page: Any, predicate: str, arg: Any = None, timeout_ms: int = 10000) -> None:
    """Poll an async JS predicate (a function of `arg`) in the page until it
    holds. Not page.wait_for_function: it takes the Promise an async
    predicate returns as already true, so it never polls one."""
    held = await page.evaluate(
        f"""async ([arg, timeoutMs]) => {{
            const check = {predicate};
            const end = Date.now() + timeoutMs;
            for (;;) {{
                if (await check(arg)) return true;
                if (Date.now() > end) return false;
                await new Promise((ok) => setTimeout(ok, 50));
            }}
        }}""",
        [arg, timeout_ms],
    )
    assert held, f"not true within {timeout_ms} ms: {predicate}"


# The web app's IndexedDB ("chatd"): every record of `store` (an array of
# [key, value] pairs), read in a transaction of its own beside the app's.
IDB_ENTRIES = """(store) => new Promise((ok, fail) => {
    const r = indexedDB.open("chatd");
    r.onerror = () => fail(r.error);
    r.onsuccess = () => {
        const t = r.result.transaction(store), s = t.objectStore(store), out = [];
        s.openCursor().onsuccess = (e) => {
            const c = e.target.result;
            if (c) { out.push([c.key, c.value]); c.continue(); } else { r.result.close(); ok(out); }
        };
        t.onerror = () => { r.result.close(); fail(t.error); };
    };
})"""


async def idb_until(page: Any, store: str, check: str, arg: Any = None) -> None:
    """Wait until `check(entries, arg)` holds for the app's IndexedDB store
    (a write the page shows at once lands there a moment later)."""
    await page_until(page, f"async ([store, arg]) => ({check})(await ({IDB_ENTRIES})(store), arg)", [store, arg])


async def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


UNNAMED = """() => [...document.querySelectorAll("button, a[href], input:not([type=hidden]), textarea, select")]
  .filter((el) => el.offsetParent !== null || el.type === "file")
  .filter((el) => !(el.getAttribute("aria-label") || el.labels?.length || el.textContent.trim()
                    || el.getAttribute("title") || el.getAttribute("aria-labelledby")))
  .map((el) => el.outerHTML.slice(0, 120))"""


async def unnamed_controls(page: Any) -> list[str]:
    """Controls on the page without an accessible name (label, aria-label, text or title)."""
    return await page.evaluate(UNNAMED)
