"""REST sends: what a durable `POST /conversations/{id}/messages` costs the
server with --rest-in-flight (8) sends in flight into one conversation of
two members (small commit batches: the case a real group chat has).

The client is chatd/bench/light_http.py (raw keep-alive HTTP/1.1, no
pipelining), so the generator is not the bottleneck; its own CPU per send is
reported beside the server's. Server CPU is read from /proc for the server
process alone, over the measured window only.
"""

from __future__ import annotations

from typing import Any

from chatd.bench.population import Population
from chatd.bench.probe import Probe
from chatd.bench.rest_load import send_load


async def run(population: Population, args: Any, probe: Probe) -> dict[str, Any]:
    a, b = (await population.ensure(2))[:2]
    chat = await population.group(a, [b], "rest sends")
    load = await send_load(population.url, [a, b], chat, in_flight=args.rest_in_flight, warmup=args.rest_warmup,
                           duration=args.rest_duration, probe=probe, label="rest")
    return {"members": 2, "warmup_s": args.rest_warmup, **load.summary()}
