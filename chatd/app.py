"""The Litestar application: routes, error shape, lifespan, OpenAPI.

`create_app(config)` is the factory; with no config it reads CHATD_CONFIG /
./chatd.toml, so `granian --interface asgi --factory chatd.app:create_app`
works too (`chatd serve` is the supported way: one process, 1012 on stop).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from chatd import config as config_module
from chatd import __version__
from chatd import logs
from chatd.api.bounded_request import BoundedRequest
from chatd.api.fast_lane.dispatch import FastLane
from chatd.api.header_limit import header_limit
from chatd.api.openapi import openapi_config, tell_the_truth
from chatd.api.problems import HANDLERS
from chatd.api.headers import security_headers
from chatd.api.socket_send import ChatdApp
from chatd.api.static import static_router
from chatd.api.web import WEB_ROUTES
from chatd.domain import User
from chatd.api.routes import ROUTES
from chatd.api.security import auth_middleware, provide_me
from chatd.realtime.core import start_realtime
from chatd.runtime import Runtime, start_runtime
from chatd.services.media.janitor import sweep_forever
from chatd.stopping import cancel_and_wait
from chatd.services.registry import Services


def _me_after_services(request: Request, services: NamedDependency[Any]) -> User:
    """`me`, resolved after `services`. Two dependencies that need nothing
    from each other form one batch, which Litestar resolves in an anyio task
    group: a group and two tasks per request for two attribute reads, ~8% of
    the event loop's samples under durable REST sends (`chatd bench
    --profile`, BENCHMARKS.md). One after the other they are called in place."""
    return provide_me(request)


def create_app(config: config_module.Config | None = None, runtime: Runtime | None = None, *,
               fast_lane: bool = True) -> Litestar:
    """`runtime`: already started by `chatd serve`, so start-up errors (a bad
    database URL, a newer schema) surface as one line before the port opens.
    `fast_lane=False`: every request through Litestar (the lane's tests
    compare the two)."""
    cfg = config or config_module.load()
    prestarted = runtime

    def services() -> Services:
        # No parameters, so Litestar has nothing to validate per request (a
        # `state: State` one cost a msgspec.convert of it every time).
        return app.state.runtime.services

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        runtime = prestarted or await start_runtime(cfg)
        app.state.runtime = runtime
        try:
            # Sockets, fan-out and presence; it listens to the stores' committed events.
            app.state.realtime = await start_realtime(runtime)
            janitor = asyncio.create_task(sweep_forever(runtime.services.media_janitor), name="chatd-media-janitor")
            # Deletions a crash or a store error cut short are finished now and then.
            departures = asyncio.create_task(runtime.services.account_deletion.finish_forever(),
                                             name="chatd-deletion-finisher")
            try:
                yield
            finally:
                await cancel_and_wait([janitor, departures], "background work")
                await app.state.realtime.close()
        finally:
            await runtime.close()

    app = ChatdApp(
        route_handlers=[*ROUTES, static_router(), *WEB_ROUTES],
        openapi_config=openapi_config(__version__),
        lifespan=[lifespan],
        exception_handlers=HANDLERS,
        dependencies={
            "services": Provide(services, sync_to_thread=False),
            "me": Provide(_me_after_services, sync_to_thread=False),
        },
        middleware=[header_limit, auth_middleware],
        before_send=[security_headers],
        request_class=BoundedRequest,
        request_max_body_size=cfg.limits.max_body_kb * 1024,  # a route may raise it (uploads)
        state=State({"config": cfg}),
        logging_config=logs.litestar_config(),
        debug=False,
    )
    tell_the_truth(app)
    if fast_lane:
        app.fast_lane = FastLane(app, Litestar.__call__)
    return app
