"""Where a request came from, for security notices: the device (browser
and system from the User-Agent) and the client address (client_address.py)."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from chatd.api.client_address import client_address
from chatd.config import Config
from chatd.services.device_label import device_label
from chatd.services.security_activity import Where


def client_place(connection: ASGIConnection, config: Config) -> Where:
    agent = connection.headers.get("user-agent", "")[:512]
    return Where(device=device_label(agent), address=client_address(connection, config) or None)
