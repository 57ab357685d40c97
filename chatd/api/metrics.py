"""GET /metrics: a few numbers in Prometheus text format.

Hand-written rather than Litestar's Prometheus plugin: that needs
prometheus_client (+2 MB RSS on the Pi) and counts HTTP requests, while what
an admin of a chat server watches is sockets, memory and the event log.
Only loopback clients get it (a local Prometheus; behind a reverse proxy
listed in server.trusted_proxies, the forwarded client must be loopback):
online counts are nobody else's business.
"""

from __future__ import annotations

import resource
import time

from litestar import Request, Response, get
from litestar.datastructures import State

from chatd import __version__
from chatd.api.client_address import client_address
from chatd.errors import NotFound

STARTED = time.monotonic()
LOOPBACK = ("127.", "::1", "localhost")


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    except OSError:  # not Linux: the peak is the best we have
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@get("/metrics", exclude_from_auth=True, tags=["operations"], media_type="text/plain; version=0.0.4")
async def metrics(request: Request, state: State) -> Response[str]:
    if not client_address(request, state.config).startswith(LOOPBACK):
        raise NotFound("Not found.")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    realtime = state.realtime
    lines = [
        f'chatd_info{{version="{__version__}"}} 1',
        f"chatd_uptime_seconds {time.monotonic() - STARTED:.3f}",
        f"chatd_process_resident_memory_bytes {_rss_bytes()}",
        f"chatd_process_cpu_seconds_total {usage.ru_utime + usage.ru_stime:.3f}",
        f"chatd_websockets_open {len(realtime.sessions)}",
        f"chatd_users_connected {len(realtime.hub.sockets)}",
        f"chatd_event_log_head {await state.runtime.stores.events.latest()}",
    ]
    return Response("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
