"""Measure the web UI's budgets (issue 9) on this machine; the figures go to
BENCHMARKS.md, "Web UI".

    .venv/bin/python tools/webui_measure.py [--messages 10000]

Starts `chatd serve` on a temp dir, then with Debian's Chromium: the sign-in
page's largest contentful paint (5 fresh contexts), and a conversation of N
messages scrolled from the newest back to the first: DOM rows at most, JS
heap and DOM nodes at the end, and the longest frame gap while scrolling.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chatd.bench.procstat import rss_bytes, status_bytes  # noqa: E402
from chatd.bench.server import BENCH_CONFIG, BENCH_ENV, ServerProcess  # noqa: E402


def renderer_rss(_url: str) -> tuple[int, int]:
    """(RSS, anonymous RSS) of the largest Chromium renderer process: with
    one tab open, the tab. The anonymous part is the tab's own memory; the
    rest is Chromium's code and fonts, mapped and shared with every tab."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"chromium" in cmdline and b"--type=renderer" in cmdline:
            sizes.append((rss_bytes(int(entry.name)), status_bytes(int(entry.name), "RssAnon")))
    return max(sizes, default=(0, 0))

STATIC = Path(__file__).resolve().parents[1] / "static"
PAGE_VENDOR = ["preact/preact.mjs", "preact/hooks.mjs", "htm/htm.mjs", "redux/redux.mjs", "idb/idb.js",
               "marked/marked.mjs", "tweetnacl/nacl-fast.min.js"]
LAUNCH = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
          "--enable-precise-memory-info"]
LCP = """new Promise((done) => new PerformanceObserver((list) => {
  const last = list.getEntries().at(-1);
  if (last.element?.closest(".auth-card")) done(last.startTime);
}).observe({ type: "largest-contentful-paint", buffered: true }))"""


def sizes() -> tuple[float, float]:
    app = [*(STATIC / "app").rglob("*.js"), *(STATIC / "app").rglob("*.css"), STATIC / "index.html", STATIC / "sw.js"]
    gz = lambda paths: sum(len(gzip.compress(p.read_bytes(), 9)) for p in paths) / 1024  # noqa: E731
    return gz(app), gz([STATIC / "vendor" / p for p in PAGE_VENDOR])


async def seed(url: str, count: int) -> tuple[dict, str]:
    async with httpx.AsyncClient(base_url=url + "/api/v1", trust_env=False, timeout=30) as http:
        tokens = []
        for name in ("reader", "writer"):
            r = await http.post("/auth/register", json={"username": name, "password": "correct horse battery"})
            tokens.append(r.json())
        writer = {"Authorization": f"Bearer {tokens[1]['token']}"}
        cid = (await http.post("/conversations", json={"kind": "direct", "user_id": tokens[0]["user"]["id"]},
                               headers=writer)).json()["id"]
        for start in range(0, count, 100):
            await asyncio.gather(*(http.post(f"/conversations/{cid}/messages", headers=writer,
                                             json={"client_id": f"m{n}", "body": f"message {n}: some words of text"})
                                   for n in range(start, min(count, start + 100))))
    return tokens[0], cid


async def main(count: int) -> None:
    app_kb, vendor_kb = sizes()
    print(f"app JS+CSS {app_kb:.1f} KB gzipped; vendor {vendor_kb:.1f} KB gzipped")
    server = ServerProcess(Path(tempfile.mkdtemp()), config=BENCH_CONFIG, env=BENCH_ENV)
    await server.start()
    try:
        began = time.perf_counter()
        reader, cid = await seed(server.url, count)
        print(f"seeded {count} messages in {time.perf_counter() - began:.1f} s")
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH)
            paints = []
            for _ in range(5):
                context = await browser.new_context(base_url=server.url)
                page = await context.new_page()
                await page.goto("/")
                paints.append(await page.evaluate(LCP))
                await context.close()
            print("sign-in LCP ms:", [round(x) for x in paints], "median", round(statistics.median(paints)))

            context = await browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
            async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
                await http.post("/api/v1/auth/login", json={"username": "reader", "password": "correct horse battery"})
                await context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in http.cookies.jar])
            page = await context.new_page()
            await page.goto(f"/c/{cid}")
            await page.wait_for_selector(".msg")
            await page.evaluate("""() => { window.gaps = []; let last = performance.now();
              const tick = (t) => { window.gaps.push(t - last); last = t; requestAnimationFrame(tick); };
              requestAnimationFrame(tick); }""")
            most_rows, began = 0, time.perf_counter()
            while not await page.get_by_text("This is the beginning of the conversation.").count():
                await page.mouse.move(800, 400)
                await page.mouse.wheel(0, -4000)
                await page.wait_for_timeout(16)
                most_rows = max(most_rows, await page.locator(".messages .row").count())
                if "--debug" in sys.argv:
                    print(await page.locator(".messages").evaluate("e => [e.scrollTop, e.scrollHeight, e.querySelector('.text')?.textContent]"))
                if time.perf_counter() - began > 600:
                    raise RuntimeError("did not reach the first message in 10 minutes")
            seconds = time.perf_counter() - began
            gaps = sorted(await page.evaluate("window.gaps"))
            cdp = await context.new_cdp_session(page)
            await cdp.send("HeapProfiler.collectGarbage")
            metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]} \
                if (await cdp.send("Performance.enable")) is not None else {}
            print(f"scrolled {count} messages back to the first in {seconds:.1f} s; at most {most_rows} rows in the DOM")
            print(f"frame gaps while scrolling: p50 {gaps[len(gaps) // 2]:.0f} ms, p99 {gaps[int(len(gaps) * .99)]:.0f} ms,"
                  f" max {gaps[-1]:.0f} ms")
            print(f"JS heap used {metrics.get('JSHeapUsedSize', 0) / 2**20:.1f} MB,"
                  f" DOM nodes {metrics.get('Nodes', 0):.0f}")
            rss, anon = renderer_rss(page.url)
            print(f"the tab's renderer process: {rss / 2**20:.1f} MB RSS, of it {anon / 2**20:.1f} MB its own "
                  "(anonymous; the rest is Chromium's shared code and fonts)")
            await browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--debug", action="store_true")
    asyncio.run(main(parser.parse_args().messages))
