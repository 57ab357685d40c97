"""The address a request really came from.

Behind a reverse proxy every request arrives from the proxy's address, so
per-address login limits would lock everybody out together and /metrics
would answer the world. For peers listed in server.trusted_proxies the
client is the nearest X-Forwarded-For hop that is not itself a trusted
proxy (hops further left are client-supplied and could be forged).
"""

from __future__ import annotations

from litestar.connection import ASGIConnection

from chatd.config import Config


def client_address(connection: ASGIConnection, config: Config) -> str:
    peer = connection.client.host if connection.client else ""
    trusted = config.server.trusted_proxies
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in connection.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer
