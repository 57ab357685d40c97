"""The web UI's shell at /, its client routes, the service worker and the
security headers every response carries."""

import re

import pytest

from tests.api.message_helpers import direct
from tests.conftest import register
from tests.media.helpers import ATT, upload


async def test_root_serves_the_app_shell_with_a_strict_policy(client):
    r = await client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    # The import map is the one inline script, allowed by its hash alone.
    without_map = re.sub(r'<script type="importmap">.*?</script>', "", r.text, flags=re.S)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", without_map) is None, "no inline script"
    assert "style=" not in r.text and "<style" not in r.text
    csp = r.headers["content-security-policy"]
    for part in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                 "base-uri 'none'", "form-action 'self'", "img-src 'self' blob: data:"]:
        assert part in csp, part
    assert "unsafe-inline" not in csp and "'sha256-" in csp
    assert "unsafe-eval" not in csp  # 'wasm-unsafe-eval' too: only the Argon2id worker compiles wasm
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


async def test_only_the_argon2id_worker_may_compile_webassembly(client):
    r = await client.get("/static/app/crypto/argon2-worker.js")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp and "unsafe-inline" not in csp
    for path in ["/static/app/crypto/backup.js", "/static/app/main.js", "/settings"]:
        assert "wasm-unsafe-eval" not in (await client.get(path)).headers["content-security-policy"], path


@pytest.mark.parametrize("path", ["/c/01ABCDEFGHJKMNPQRSTVWXYZ00", "/settings", "/admin", "/new", "/contacts", "/search",
                                  "/safety/01ABCDEFGHJKMNPQRSTVWXYZ00"])
async def test_client_routes_reload_into_the_shell(client, path):
    r = await client.get(path)
    assert r.status_code == 200 and '<div id="app"' in r.text


@pytest.mark.parametrize("path", ["/api/v1/nope", "/static/nope.js", "/schema/nope", "/favicon.ico", "/no/such/path",
                                  "/wp-login.php"])
async def test_server_paths_stay_404(client, path):
    assert (await client.get(path)).status_code == 404


async def test_api_answers_carry_the_headers_too(client):
    r = await client.get("/api/v1/me")
    assert r.status_code == 401 and "default-src 'self'" in r.headers["content-security-policy"]


async def test_service_worker_is_served_from_the_root(client):
    r = await client.get("/sw.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert r.headers["service-worker-allowed"] == "/"
    m = await client.get("/manifest.webmanifest")
    assert m.status_code == 200 and m.json()["start_url"] == "/"


async def test_every_module_the_shell_names_exists(client):
    shell = (await client.get("/")).text
    urls = re.findall(r"""(?:src|href)=['"](/[^'"]+)['"]""", shell)
    urls += re.findall(r'":\s*"(/static/[^"]+)"', shell)  # the import map
    assert any("vendor/preact" in u for u in urls) and any("app/main.js" in u for u in urls), urls
    for url in urls:
        assert (await client.get(url)).status_code == 200, url


async def test_schema_page_runs_no_inline_script(client):
    r = await client.get("/schema")
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text) is None, r.text
    assert "'unsafe-inline'" not in r.headers["content-security-policy"].split("script-src")[1].split(";")[0]


async def test_a_handlers_own_policy_is_kept(client):
    # /schema's own variant proves the hook runs; a download's sandbox policy is set by its handler.
    from chatd.api.headers import security_headers

    message = {"type": "http.response.start", "status": 200,
               "headers": [(b"content-security-policy", b"sandbox"), (b"x-content-type-options", b"nosniff")]}
    await security_headers(message, {"type": "http", "path": "/api/v1/attachments/x", "app": client.app})
    names = [name for name, _ in message["headers"]]
    assert dict(message["headers"])[b"content-security-policy"] == b"sandbox"
    assert names.count(b"x-content-type-options") == 1 and b"referrer-policy" in names


async def test_https_sites_get_hsts_and_secure_cookies(config_with):
    from litestar.testing import AsyncTestClient

    from chatd.app import create_app
    from tests.conftest import register

    config = config_with(server={"public_url": "https://chat.example.org"})
    async with AsyncTestClient(create_app(config)) as c:
        assert (await c.get("/")).headers["strict-transport-security"].startswith("max-age=31536000")
        await register(c, "alice")
        r = await c.post("/api/v1/auth/login", json={"username": "alice", "password": "correct horse battery"})
        cookies = r.headers.get_list("set-cookie")
        assert cookies and all("Secure" in cookie for cookie in cookies)


async def test_plain_http_sites_get_no_hsts(client):
    assert "strict-transport-security" not in (await client.get("/")).headers


def permissions(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response.headers["permissions-policy"].split(","))


async def test_browser_features_the_ui_never_uses_are_off_everywhere(client):
    """ASVS 10.2.2: a Permissions-Policy on the shell, API answers and
    attachment downloads turns off camera, microphone, location, payment,
    USB and the rest; only the video player's fullscreen and
    picture-in-picture, and security keys (WebAuthn), stay for this origin alone."""
    alice, bob = await register(client, "alice"), await register(client, "bob")
    attachment = await upload(client, await direct(client, alice, bob), alice, b"just bytes")
    answers = [await client.get("/"), await client.get("/api/v1/me", headers=alice.headers),
               await client.get("/api/v1/me"), await client.get(f"{ATT}/{attachment['id']}", headers=alice.headers)]
    assert [r.status_code for r in answers] == [200, 200, 401, 200]
    policies = [permissions(r) for r in answers]
    assert all(p == policies[0] for p in policies)
    policy = policies[0]
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi",
                    "display-capture", "autoplay", "clipboard-read"]:
        assert policy.pop(feature) == "()", feature
    assert {k: v for k, v in policy.items() if v != "()"} == {
        "fullscreen": "(self)", "picture-in-picture": "(self)",
        "publickey-credentials-create": "(self)", "publickey-credentials-get": "(self)"}  # security keys
