"""The Litestar application: routes, error shape, lifespan, OpenAPI.

`create_app(config)` is the factory; `app` (module level) serves the config
from CHATD_CONFIG / ./chatd.toml for `granian chatd.app:app`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from chatd import config as config_module
from chatd.api.problems import HANDLERS
from chatd.api.routes import ROUTES
from chatd.runtime import start_runtime
from chatd.services.registry import Services


def _services(state: State) -> Services:
    return state.runtime.services


def create_app(config: config_module.Config | None = None) -> Litestar:
    cfg = config or config_module.load()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        runtime = await start_runtime(cfg)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()

    return Litestar(
        route_handlers=ROUTES,
        lifespan=[lifespan],
        exception_handlers=HANDLERS,
        dependencies={"services": Provide(_services, sync_to_thread=False)},
        state=State({"config": cfg}),
        debug=False,
    )


def app_from_env() -> Litestar:
    return create_app()
