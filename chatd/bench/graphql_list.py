"""The conversation list screen: one GraphQL request against the REST calls
it replaces (GET /me, /me/features, /conversations: the list already carries
members and last messages), each repeated, the server's CPU compared.

One user in --graphql-conversations groups of three, each with a last
message. The graphql flag is turned on by whichever bench user is the
server's admin (the first account, when the bench started the server).
"""

from __future__ import annotations

import time
from typing import Any

from chatd.bench.population import Population, bounded
from chatd.bench.probe import Probe

# What the web UI's list shows: who I am, my flags, and per conversation its
# name, picture, unread count, last message and the people in it.
SCREEN = """{ me { id displayName avatar } features
  conversations(first: 200) { next items { id kind title avatar unread
    lastMessage { body senderId createdAt } members { userId user { displayName avatar } } } } }"""
# Every field REST's three answers hold, for comparison (not the budget).
EVERYTHING = """{ me { id username displayName avatar bio statusText role preferences version createdAt } features
  conversations(first: 200) { next items { id kind title topic avatar createdBy createdAt updatedAt lastMessageAt
    lastSeq e2ee version unread
    lastMessage { id conversationId senderId seq clientId kind body envelope replyTo attachments mentions reactions
                  createdAt editedAt deletedAt version }
    members { userId role joinedAt lastReadSeq muted user { id username displayName avatar bio statusText } } } } }"""
REST = ("/me", "/me/features", "/conversations")


CHUNK = 10


async def _cpu_per_round(probe: Probe, rounds: int, ways: dict[str, Any]) -> dict[str, float] | None:
    """Server CPU (ms) per round of each way, the ways interleaved in chunks
    of CHUNK rounds, so a busy neighbour on the machine weighs on all alike."""
    for one_round in ways.values():
        await one_round()  # warm: strawberry is imported on the first GraphQL request
    spent = dict.fromkeys(ways, 0.0)
    for _ in range(max(1, rounds // CHUNK)):
        for name, one_round in ways.items():
            before = probe.cpu()
            for _ in range(CHUNK):
                await one_round()
            after = probe.cpu()
            if before is None or after is None:
                return None
            spent[name] += after - before
    done = max(1, rounds // CHUNK) * CHUNK
    return {name: seconds / done * 1000 for name, seconds in spent.items()}


async def run(population: Population, args: Any, probe: Probe) -> dict[str, Any]:
    n = args.graphql_conversations
    await population.ensure(1)  # alone: on a fresh server the first account is its admin
    bots = await population.ensure(3)
    roles = [(await bot.client.call("GET", "/me"))["role"] for bot in population.bots]
    if "admin" not in roles:
        raise RuntimeError("no bench user is an admin: turn the graphql flag on yourself (chatd flags set graphql on)")
    admin = population.bots[roles.index("admin")]
    other = next(b for b in bots if b is not admin)
    # The screen's owner is a user of its own: the other scenarios' users are
    # in their conversations too (the fan-out's 1,000-member group), which is
    # not the 50-conversation screen the budget is about.
    me = (await population.ensure(len(population.bots) + 1))[-1]
    await admin.client.call("PUT", "/admin/features/graphql", json={"state": "on"})
    have = len(await me.client.conversations())
    convs = await bounded([lambda i=i: population.group(me, [admin, other], f"screen {i}") for i in range(have, n)])
    await bounded([lambda c=c: other.client.send(c, "the last word") for c in convs])

    def graphql_round(query: str) -> Any:
        async def one() -> None:
            body = await me.client.call("POST", "/graphql", json={"query": query})
            assert not body.get("errors") and len(body["data"]["conversations"]["items"]) >= n, body.get("errors")

        return one

    async def rest_round() -> None:
        for path in REST:
            await me.client.call("GET", path)

    began = time.perf_counter()
    cpu = await _cpu_per_round(probe, args.graphql_rounds, {
        "rest": rest_round, "graphql": graphql_round(SCREEN), "everything": graphql_round(EVERYTHING)})
    rest_ms, graphql_ms, everything_ms = (None, None, None) if cpu is None else (
        cpu["rest"], cpu["graphql"], cpu["everything"])
    return {
        "conversations": n,
        "rounds": args.graphql_rounds,
        "rest_calls": list(REST),
        "rest_server_cpu_ms": None if rest_ms is None else round(rest_ms, 3),
        "graphql_server_cpu_ms": None if graphql_ms is None else round(graphql_ms, 3),
        "ratio": None if not rest_ms or graphql_ms is None else round(graphql_ms / rest_ms, 2),
        "every_field_server_cpu_ms": None if everything_ms is None else round(everything_ms, 3),
        "every_field_ratio": None if not rest_ms or everything_ms is None else round(everything_ms / rest_ms, 2),
        "measure_s": round(time.perf_counter() - began, 1),
    }
