"""All services of one process, built from its stores and config."""

from __future__ import annotations

from dataclasses import dataclass

from chatd.config import Config
from chatd.storage.build import Stores


@dataclass
class Services:
    config: Config
    stores: Stores


def build_services(config: Config, stores: Stores) -> Services:
    return Services(config=config, stores=stores)
