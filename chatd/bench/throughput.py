"""Sustained load: N clients in M conversations send at a target rate.

Each send is a `send` frame whose id is also its client_id; the server's
`ack` means the message is durable. End-to-end latency runs from just
before the frame is written until the LAST other member's socket has the
`message.created` event. Sends are open-loop (paced by the clock, not by
answers) with a cap on unanswered ones, so a slow server shows as latency
and lower throughput rather than as a slower generator.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from websockets.exceptions import ConnectionClosed

from chatd.bench.population import Bot, Population, bounded, close_all, open_sockets
from chatd.bench.probe import Probe
from chatd.bench.stats import LoopLag, latency_summary, no_gc, own_cpu_seconds, settle
from chatd.client.models import Frame

BODY = "benchmark message: about the length of a short chat line."
DRAIN = 5.0  # seconds to wait for answers after the last send


class Throughput:
    def __init__(self, bots: list[Bot], conversations: list[str], members: list[list[int]], url: str | list[str]):
        # url: one server, or one per bot (--processes: members of a
        # conversation on different processes, so every delivery crosses)
        self.bots, self.conversations, self.members, self.url = bots, conversations, members, url
        # client_id -> [t0, recipients still to receive, measured?, acked?, ack time, last delivery time]
        self.track: dict[str, list[Any]] = {}
        self.e2e: list[float] = []
        # Last delivery minus ack, per message: the fan-out's own cost (the
        # commit is done at the ack), e.g. the Redis hop between processes.
        self.after_ack: list[float] = []
        self.e2e_at: list[float] = []  # send times of self.e2e, for the timeline
        self.ack_latency: list[float] = []
        self.errors: Counter[str] = Counter()
        self.inflight = 0
        self.frames = 0
        self.window = (0.0, 0.0)
        self.acks_in_window = 0

    def on_frame(self, i: int):
        me = self.bots[i].id
        track = self.track

        def handle(frame: Frame) -> None:
            self.frames += 1
            if frame.get("type") != "message.created":
                return
            payload = frame["payload"]
            if payload["sender_id"] == me:
                return  # the sender's own copy is not a delivery
            entry = track.get(payload["client_id"])
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] == 0:
                now = time.perf_counter()
                entry[5] = now
                if entry[2]:
                    self.e2e.append(now - entry[0])
                    self.e2e_at.append(entry[0])
                    if entry[4] is not None:
                        self.after_ack.append(max(0.0, now - entry[4]))
                if entry[3]:
                    del track[payload["client_id"]]

        return handle

    def on_reply(self, i: int):
        track = self.track

        def handle(frame: Frame) -> None:
            now = time.perf_counter()
            cid = frame.get("id")
            entry = track.get(cid)
            if entry is None or entry[3]:
                return
            self.inflight -= 1
            if frame.get("type") == "error":
                self.errors[str(frame.get("code"))] += 1
                del track[cid]
                return
            entry[3] = True
            entry[4] = now
            if entry[2] and entry[5] is not None:
                self.after_ack.append(0.0)  # delivered before the ack came back
            if self.window[0] <= now < self.window[1]:
                self.acks_in_window += 1
            if entry[2]:
                self.ack_latency.append(now - entry[0])
            if entry[1] <= 0:
                del track[cid]

        return handle

    async def run(self, rate: float, warmup: float, duration: float, max_in_flight: int,
                  probe: Probe) -> dict[str, Any]:
        conns = await open_sockets(self.bots, self.url, self.on_frame, self.on_reply)
        await settle(lambda: self.frames)  # presence of everyone coming online
        senders = []
        for c, conversation in enumerate(self.conversations):
            for i in self.members[c]:
                senders.append((conns[i], conversation, len(self.members[c]) - 1))
        sent = skipped = sent_in_window = skipped_in_window = failed = 0
        began = time.perf_counter()
        self.window = (began + warmup, began + warmup + duration)
        end = self.window[1]
        cpu0 = gen0 = None
        with probe.peak_rss() as peak, LoopLag() as lag, no_gc():
            while (now := time.perf_counter()) < end:
                if cpu0 is None and now >= self.window[0]:
                    cpu0, gen0 = probe.cpu(), own_cpu_seconds()
                for _ in range(int((now - began) * rate) - sent - skipped):
                    measured = now >= self.window[0]
                    if self.inflight >= max_in_flight:
                        skipped += 1
                        skipped_in_window += measured
                        continue
                    conn, conversation, recipients = senders[(sent + skipped) % len(senders)]
                    cid = f"t{sent}"
                    sent += 1
                    sent_in_window += measured
                    self.inflight += 1
                    self.track[cid] = [time.perf_counter(), recipients, measured, False, None, None]
                    try:
                        await conn.send_frame({"type": "send", "id": cid, "conversation_id": conversation,
                                               "client_id": cid, "body": BODY})
                    except ConnectionClosed:  # shows as a dropped socket in the report
                        del self.track[cid]
                        self.inflight -= 1
                        failed += 1
                await asyncio.sleep(0.001)
            cpu1, gen1 = probe.cpu(), own_cpu_seconds()
        drain_began = time.perf_counter()
        while self.track and time.perf_counter() - drain_began < DRAIN:
            await asyncio.sleep(0.02)
        lost_acks = sum(1 for e in self.track.values() if not e[3])
        lost_deliveries = sum(max(e[1], 0) for e in self.track.values())
        dropped = sum(1 for c in conns if not c.connected)
        await close_all(conns)
        server_cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
        gen_cpu = None if gen0 is None else gen1 - gen0
        acked_rate = self.acks_in_window / duration
        return {
            "clients": len(self.bots),
            "conversations": len(self.conversations),
            "target_rate": rate,
            "duration_s": duration,
            "warmup_s": warmup,
            "sent_total": sent,
            "sent_in_window": sent_in_window,
            "skipped_in_flight_cap": skipped_in_window,
            "send_failed_socket_closed": failed,
            "acked_per_s": round(acked_rate, 1),
            "end_to_end": latency_summary(self.e2e),
            "ack": latency_summary(self.ack_latency),
            "delivery_after_ack": latency_summary(self.after_ack),
            "errors": dict(self.errors),
            "unacked_after_drain": lost_acks,
            "undelivered_after_drain": lost_deliveries,
            "sockets_dropped": dropped,
            "server_cpu_s": None if server_cpu is None else round(server_cpu, 2),
            "server_cpu_ms_per_message": (round(server_cpu * 1000 / self.acks_in_window, 3)
                                          if server_cpu is not None and self.acks_in_window else None),
            "server_rss_peak_bytes": peak.peak or None,
            "generator_cpu_s": None if gen_cpu is None else round(gen_cpu, 2),
            "generator_loop_lag": latency_summary(lag.lags),
            "timeline": self.timeline(),
        }

    def timeline(self) -> list[dict[str, Any]]:
        """Per second of the window: messages fully delivered and their
        end-to-end p50/p99 (where in the run the slow ones were)."""
        buckets: dict[int, list[float]] = {}
        for at, latency in zip(self.e2e_at, self.e2e):
            buckets.setdefault(int(at - self.window[0]), []).append(latency)
        return [{"second": k, **latency_summary(v)} for k, v in sorted(buckets.items())]


def pairs_of(n_clients: int, n_conversations: int) -> list[list[int]]:
    """Client indexes per conversation: round-robin, so sizes differ by one at most."""
    groups: list[list[int]] = [[] for _ in range(min(n_conversations, n_clients // 2) or 1)]
    for i in range(n_clients):
        groups[i % len(groups)].append(i)
    return groups


def spread(members: list[list[int]], urls: list[str]) -> list[str]:
    """Each bot's server: the k-th member of every conversation on process k
    (mod N), so with two processes every message goes A -> B or B -> A."""
    out = [urls[0]] * sum(len(m) for m in members)
    for group in members:
        for k, i in enumerate(group):
            out[i] = urls[k % len(urls)]
    return out


async def prepare(population: Population, clients: int, n_conversations: int,
                  urls: list[str] | None = None) -> Throughput:
    """The users, their conversations and the load, ready to run."""
    bots = await population.ensure(clients)
    members = pairs_of(clients, n_conversations)
    conversations = await bounded([
        lambda c=c, group=group: population.conversation([bots[i] for i in group], f"bench {c}")
        for c, group in enumerate(members)
    ])
    url: str | list[str] = spread(members, urls) if urls and len(urls) > 1 else population.url
    return Throughput(bots, conversations, members, url)


async def run(population: Population, args: Any, probe: Probe, urls: list[str] | None = None) -> dict[str, Any]:
    scenario = await prepare(population, args.clients, args.conversations, urls)
    return await scenario.run(args.rate, args.warmup, args.duration, args.max_in_flight, probe)
