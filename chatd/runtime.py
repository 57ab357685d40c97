"""One process's live state: config, stores and services, started and
stopped by the app's lifespan (and by CLI commands that need them)."""

from __future__ import annotations

from dataclasses import dataclass

from chatd.config import Config
from chatd.services.registry import Services, build_services
from chatd.storage.build import Stores, open_stores


@dataclass
class Runtime:
    config: Config
    stores: Stores
    services: Services

    async def close(self) -> None:
        await self.stores.close()


async def start_runtime(config: Config) -> Runtime:
    stores = await open_stores(config)
    return Runtime(config=config, stores=stores, services=build_services(config, stores))
