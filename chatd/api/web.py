"""The web UI's entry points: `/` (the app shell), the client-side routes
that reload into it (`/c/<id>`, `/settings`...), and the two files whose URL
matters to the browser: `/sw.js` (a service worker controls only what sits
under its own path, so it must live at the root) and the manifest.

Everything else of the app is a file under /static.
"""

from __future__ import annotations

import base64
import hashlib
import re

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from chatd.api.static import STATIC_DIR

# The shell must be revalidated, or a new release keeps loading old modules.
NO_CACHE = {"Cache-Control": "no-cache"}
# First path segments of the app's own routes (static/app/router.js): a reload
# there gets the shell; any other unknown path stays a 404 problem document.
CLIENT_ROUTES = frozenset({"c", "new", "contacts", "search", "settings", "admin", "safety"})




def import_map_hash() -> str:
    """CSP source for the shell's inline import map (browsers take no import
    map from a file), so script-src can stay 'self' plus exactly that text."""
    try:
        html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    except OSError:
        return ""
    found = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
    if not found:
        return ""
    return "'sha256-" + base64.b64encode(hashlib.sha256(found.group(1).encode()).digest()).decode() + "'"


def _shell() -> File:
    return File(STATIC_DIR / "index.html", content_disposition_type="inline", media_type="text/html; charset=utf-8",
                headers=NO_CACHE)


@get("/", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
def index() -> File:
    return _shell()


@get("/{route:path}", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
def client_route(route: FromPath[str]) -> File:
    """A reload of a client-side route (e.g. /c/01J...) gets the app shell."""
    if route.strip("/").split("/", 1)[0] not in CLIENT_ROUTES:
        raise NotFoundException()
    return _shell()


@get("/sw.js", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
def service_worker() -> File:
    return File(STATIC_DIR / "sw.js", content_disposition_type="inline", media_type="text/javascript",
                headers={**NO_CACHE, "Service-Worker-Allowed": "/"})


@get("/manifest.webmanifest", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
def manifest() -> File:
    return File(STATIC_DIR / "manifest.webmanifest", content_disposition_type="inline",
                media_type="application/manifest+json")


WEB_ROUTES = [index, client_route, service_worker, manifest]
