"""OPTIONS for every path, with an `Allow` that lists all its methods.

Litestar builds its automatic OPTIONS handler when a path's first handler
is registered, so `Allow` named only that one (`GET, OPTIONS` on /me, which
also takes PATCH). Registered first, these handlers take its place.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from litestar import Response, route
from litestar.handlers import HTTPRouteHandler


def _answer(allow: str) -> Any:
    def options() -> Response[None]:
        return Response(None, status_code=204, headers={"Allow": allow})

    return options


def options_routes(handlers: list[Any]) -> list[HTTPRouteHandler]:
    methods: dict[str, set[str]] = defaultdict(set)
    for handler in handlers:
        if isinstance(handler, HTTPRouteHandler):
            for path in handler.paths:
                methods[path] |= set(handler.http_methods)
    return [
        route(path, http_method="OPTIONS", include_in_schema=False, sync_to_thread=False, name=f"options:{path}",
              exclude_from_auth=True)(_answer(", ".join(sorted(verbs | {"OPTIONS"}))))
        for path, verbs in methods.items()
    ]
