"""People with devices for the E2EE client tests: each device is its own
Client (its own login) with its own key folder, as two installs would be."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from chatd.client import Client
from chatd.client.e2ee import E2ee

PASSWORD = "correct horse battery"
_n = itertools.count(1)


@dataclass
class Person:
    name: str
    id: str
    url: str
    home: Path
    devices: list[E2ee]
    clients: list[Client]

    async def new_device(self, folder: Path | None = None) -> E2ee:
        client = Client(self.url, trust_env=False)
        self.clients.append(client)
        await client.login(self.name, PASSWORD)
        e2ee = await E2ee.start(client, folder=folder or self.home / f"device{len(self.devices) + 1}")
        self.devices.append(e2ee)
        return e2ee

    @property
    def phone(self) -> E2ee:
        return self.devices[0]

    async def close(self) -> None:
        for c in self.clients:
            await c.aclose()


async def person(url: str, tmp: Path, prefix: str, devices: int = 1) -> Person:
    name = f"{prefix}_{next(_n)}"
    async with Client(url, trust_env=False) as c:
        login = await c.register(name, PASSWORD, display_name=prefix.title())
    p = Person(name, login.user.id, url, tmp / name, [], [])
    for _ in range(devices):
        await p.new_device()
    return p
