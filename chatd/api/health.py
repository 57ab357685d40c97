"""Liveness and readiness for load balancers and the Pi's process supervisor."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State


@get("/healthz", exclude_from_auth=True, include_in_schema=True, tags=["operations"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", exclude_from_auth=True, tags=["operations"])
async def readyz(state: State) -> Response[dict[str, object]]:
    failed = await state.runtime.stores.check()
    if failed:
        return Response({"status": "unavailable", "failed": failed}, status_code=503)
    return Response({"status": "ready"})
