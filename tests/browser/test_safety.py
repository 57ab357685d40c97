"""User text is never markup: an XSS corpus sent by another member renders
as inert text (no script runs, no dialog opens, no element or link of theirs
appears); a strict CSP backs this up."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import direct

CORPUS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img')>",
    "<svg onload=alert('svg')></svg>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<details open ontoggle=alert('details')>x</details>",
    "<a href=\"javascript:alert('a')\">html link</a>",
    "[md link](javascript:alert('md'))",
    "[spaced](  JaVaScRiPt:alert('case'))",
    "[data](data:text/html,<script>alert('data')</script>)",
    "<javascript:alert('autolink')>",
    "![image](javascript:alert('image'))",
    "![tracker](https://example.com/pixel.png)",
    "**<img src=x onerror=alert('bold')>**",
    "`<script>alert('code')</script>`",
    "```\n<script>alert('block')</script>\n```",
    "> <style>body{display:none}</style>",
    "&lt;script&gt;alert('entity')&lt;/script&gt;",
    "<form action=/api/v1/auth/logout method=post><button>go</button></form>",
]


async def test_xss_corpus_renders_as_inert_text(browser, people):
    ann, mallory = await people("ann"), await people("mallory")
    cid = await direct(mallory, ann)
    for n, body in enumerate(CORPUS):
        r = await mallory.http.post(f"/conversations/{cid}/messages", json={"client_id": f"x{n}", "body": body})
        assert r.status_code == 201, r.text
    r = await mallory.http.post(f"/conversations/{cid}/messages",
                                json={"client_id": "ok", "body": "a real [link](https://chatd.dev/docs)"})
    page = await ann.open(browser, path=f"/c/{cid}")
    log = page.locator(".messages")
    await expect(log.locator(".msg")).to_have_count(len(CORPUS) + 1)
    await page.wait_for_timeout(300)  # give any injected handler its chance to fire

    assert ann.dialogs == []
    for tag in ["script", "img", "svg", "iframe", "details", "style", "form", "object", "embed"]:
        assert await log.locator(f".text {tag}").count() == 0, tag
    hrefs = await log.locator(".text a").evaluate_all("els => els.map((a) => [a.href, a.rel, a.target])")
    assert hrefs == [["https://chatd.dev/docs", "noopener noreferrer nofollow", "_blank"]]
    # The payloads are shown, as the text they are.
    texts = await log.locator(".text").all_inner_texts()
    assert "<script>alert('script')</script>" in texts[0]
    assert "<img src=x onerror=alert('img')>" in texts[1]
    assert any("alert('code')" in t for t in texts)
    assert await page.evaluate("document.body.style.display") != "none"
    assert await page.get_by_role("textbox", name="Message").is_visible()
