"""The API browser works offline: the document, the page and its files all
come from chatd itself."""

import re

import pytest

from chatd.api.static import STATIC_DIR

# The schema and its static page: no store involved.
pytestmark = pytest.mark.one_backend


async def test_openapi_document_lists_the_api(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ["/api/v1/auth/register", "/api/v1/conversations", "/api/v1/conversations/{conversation_id}/messages",
                 "/healthz", "/readyz"]:
        assert any(p.replace("{id}", "{conversation_id}") == path or p == path for p in paths), path


async def test_browsable_ui_loads_nothing_from_elsewhere(client):
    r = await client.get("/schema")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", r.text)
    assert urls, r.text
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, f"{url}: {asset.status_code} (vendored files missing? run `make vendor`)"


def test_vendored_files_are_installed_by_setup():
    assert (STATIC_DIR / "vendor" / "swagger-ui" / "swagger-ui-bundle.js").exists(), "run `make vendor`"
