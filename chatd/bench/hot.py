"""A hot conversation: --hot-senders (16) members of one group each keep one
durable send in flight into it (so 16 in flight, one seq counter, one
write queue), for --hot-duration seconds after --hot-warmup; over REST
(default) or WebSocket `send` frames (--hot-transport ws).

Afterwards the whole conversation is read back (pages of 200) and every
acknowledged send checked: present, once, with the id and seq its 201
carried; seqs gap-free. `verify` is the check, kept pure so a test can show
it fails when a message is dropped or doubled.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from chatd.bench.population import Bot, Population
from chatd.bench.probe import Probe
from chatd.bench.rest_load import send_load
from chatd.bench.ws_load import ws_send_load

PAGE = 200


async def stored_messages(reader: Bot, conversation: str) -> list[tuple[str, int, str | None]]:
    """(id, seq, client_id) of every message of the conversation, by seq."""
    out: list[tuple[str, int, str | None]] = []
    after = 0
    while True:
        page = await reader.client.messages(conversation, after_seq=after, limit=PAGE)
        out += [(m.id, m.seq, m.client_id) for m in page.items]
        if not page.items or not page.has_more:
            return out
        after = page.items[-1].seq


def verify(acked: dict[str, tuple[str, int]], stored: list[tuple[str, int, str | None]]) -> dict[str, Any]:
    """Every acknowledged send stored exactly once, as acknowledged; seqs gap-free."""
    by_client: dict[str, list[tuple[str, int]]] = {}
    for mid, seq, cid in stored:
        if cid is not None:
            by_client.setdefault(cid, []).append((mid, seq))
    lost = [cid for cid in acked if cid not in by_client]
    doubled = [cid for cid, rows in by_client.items() if len(rows) > 1]
    changed = [cid for cid, want in acked.items() if cid in by_client and by_client[cid][0] != want]
    seqs = sorted(seq for _, seq, _ in stored)
    seq_repeats = sum(n - 1 for n in Counter(seqs).values() if n > 1)
    gaps = (seqs[-1] - seqs[0] + 1 - len(set(seqs))) if seqs else 0
    return {
        "acked_total": len(acked),
        "stored_total": len(stored),
        "lost": len(lost),
        "doubled": len(doubled),
        "changed": len(changed),
        "seq_repeats": seq_repeats,
        "seq_gaps": gaps,
        "examples": {"lost": lost[:3], "doubled": doubled[:3], "changed": changed[:3]},
    }


def clean(check: dict[str, Any]) -> bool:
    return not (check["lost"] or check["doubled"] or check["changed"] or check["seq_repeats"] or check["seq_gaps"])


async def run(population: Population, args: Any, probe: Probe) -> dict[str, Any]:
    bots = await population.ensure(args.hot_senders)
    chat = await population.group(bots[0], bots[1:], "hot conversation")
    acked: dict[str, tuple[str, int]] = {}
    load_of = ws_send_load if args.hot_transport == "ws" else send_load
    load = await load_of(population.url, bots, chat, in_flight=args.hot_senders, warmup=args.hot_warmup,
                         duration=args.hot_duration, probe=probe, label=f"hot-{args.hot_transport}", acked=acked)
    check = verify(acked, await stored_messages(bots[0], chat))
    return {"senders": args.hot_senders, "transport": args.hot_transport, "warmup_s": args.hot_warmup,
            **load.summary(), "check": check}
