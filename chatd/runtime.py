"""One process's live state: config, stores and services, started and
stopped by the app's lifespan (and by CLI commands that need them)."""

from __future__ import annotations

from dataclasses import dataclass

from chatd.config import Config
from chatd.pepper_file import open_passwords
from chatd.services.second_factor.reseal import check_keys
from chatd.services.second_factor.sealing import SecretSealer
from chatd.services.registry import Services, build_services
from chatd.storage.build import Stores, open_stores


@dataclass
class Runtime:
    config: Config
    stores: Stores
    services: Services

    async def close(self) -> None:
        await self.services.decoder.close()
        await self.stores.close()


async def start_runtime(config: Config, *, serving: bool = True) -> Runtime:
    """`serving`: for a server (and its workers), refuse a TOTP sealing key
    missing; the shell's repair tools (`chatd user`, `flags`, `media`) skip that."""
    stores = await open_stores(config)
    try:
        # Refused (one line) when the pepper is not the one the database's hashes were made with.
        passwords = await open_passwords(config, stores.settings, stores.keys)
        if serving:  # likewise when a TOTP secret opens with no configured key (rotation gone wrong)
            await check_keys(stores.second_factors, stores.users, SecretSealer(stores.keys))
        services = build_services(config, stores, passwords)
        await services.features.refresh()
    except BaseException:
        await stores.close()
        raise
    return Runtime(config=config, stores=stores, services=services)
