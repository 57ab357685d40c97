"""Fuzzing the GraphQL schema: every query and mutation field, called with
random arguments (real ids, junk, extremes, wrong shapes) and a random
selection of its fields, from a fixed seed for about 20 seconds. Whatever
comes in, the answer is a GraphQL result or a 400 problem: never a 5xx,
never an `internal` error (the equivalent of schemathesis for REST)."""

from __future__ import annotations

import random
import time
from typing import Any

from graphql import (GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType,
                     get_named_type)
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.gql.schema import schema_for
from tests.api.graphql_helpers import GQL
from tests.api.message_helpers import group, send
from tests.conftest import register

SEED = 11
SECONDS = 20.0


class Junk:
    def __init__(self, rng: random.Random, ids: list[str]):
        self.rng, self.ids = rng, ids

    def string(self) -> Any:
        return self.rng.choice([*self.ids, *self.ids, "", " ", "x" * self.rng.choice([1, 65, 300, 10_000]), "🙂",
                                "0", "-1", "99999999999999999999", "garbage", "\x00", "'; DROP TABLE users; --",
                                "on", "10%", "👍", "%", "admin", "a,b"])

    def scalar(self, name: str) -> Any:
        r = self.rng
        if name == "Int":
            return r.choice([-(2**31), -1, 0, 1, 2, 3, 50, 201, 5000, 2**31 - 1])
        if name == "Boolean":
            return r.choice([True, False])
        if name == "JSON":
            return r.choice([None, {}, [], "x", 5, {"alg": "x", "sender_device": "d", "nonce": "n", "ciphertext": "c"},
                             {"nested": {"deep": [1, 2, {"a": None}]}}])
        if name == "DateTime":
            return r.choice(["2026-01-01T00:00:00Z", "yesterday"])
        return self.string()

    def value(self, gtype: Any) -> Any:
        if isinstance(gtype, GraphQLNonNull):
            return self.value(gtype.of_type)
        if self.rng.random() < 0.08:
            return None
        if isinstance(gtype, GraphQLList):
            return [self.value(gtype.of_type) for _ in range(self.rng.choice([0, 1, 2, 5]))]
        if isinstance(gtype, GraphQLInputObjectType):
            return {name: self.value(f.type) for name, f in gtype.fields.items() if self.rng.random() < 0.8
                    or isinstance(f.type, GraphQLNonNull)}
        return self.scalar(gtype.name)


def selection(rng: random.Random, gtype: Any, depth: int = 0) -> str:
    named = get_named_type(gtype)
    if isinstance(named, GraphQLScalarType) or not isinstance(named, GraphQLObjectType):
        return ""
    fields = list(named.fields.items())
    leaves = [n for n, f in fields if isinstance(get_named_type(f.type), GraphQLScalarType) and not f.args]
    nested = [n for n, f in fields if isinstance(get_named_type(f.type), GraphQLObjectType) and not f.args]
    chosen = rng.sample(leaves, k=min(len(leaves), rng.randint(1, 4))) if leaves else []
    if depth < 2:
        for name in rng.sample(nested, k=min(len(nested), rng.randint(0, 2))):
            chosen.append(name + selection(rng, named.fields[name].type, depth + 1))
    return " { " + " ".join(chosen or ["__typename"]) + " }"


def document(rng: random.Random, junk: Junk, kind: str, name: str, field: Any) -> tuple[str, dict[str, Any]]:
    decls, uses, variables = [], [], {}
    for i, (arg, spec) in enumerate(field.args.items()):
        if isinstance(spec.type, GraphQLNonNull) or rng.random() < 0.6:
            decls.append(f"$v{i}: {spec.type}")
            uses.append(f"{arg}: $v{i}")
            variables[f"v{i}"] = junk.value(spec.type)
    head = f"{kind}({', '.join(decls)})" if decls else kind
    call = f"{name}({', '.join(uses)})" if uses else name
    return f"{head} {{ {call}{selection(rng, field.type)} }}", variables


async def test_random_operations_never_break_the_server(config_with):
    config = config_with(features={"graphql": True}, limits={"messages_per_minute": 100_000})
    async with AsyncTestClient(create_app(config)) as client:
        ann, bob, eve = [await register(client, n) for n in ("ann", "bob", "eve")]
        conv = await group(client, ann, bob)
        msg = await send(client, conv, ann, "hello", client_id="seed")
        ids = [ann.id, bob.id, eve.id, conv, msg["id"], "seed"]
        rng = random.Random(SEED)
        junk = Junk(rng, ids)
        schema = schema_for(config.graphql)._schema
        roots = [("query", schema.query_type), ("mutation", schema.mutation_type)]
        calls = [(kind, name, f) for kind, root in roots for name, f in root.fields.items()]
        seen: dict[str, int] = {}
        deadline, sent = time.monotonic() + SECONDS, 0
        while time.monotonic() < deadline:
            kind, name, field = rng.choice(calls)
            query, variables = document(rng, junk, kind, name, field)
            who = rng.choice([ann, bob, eve])
            r = await client.post(GQL, json={"query": query, "variables": variables}, headers=who.headers)
            sent += 1
            assert r.status_code in (200, 400), (query, variables, r.status_code, r.text)
            if r.status_code == 200:
                for err in r.json().get("errors", []):
                    code = err.get("extensions", {}).get("code")
                    assert code not in (None, "internal"), (query, variables, err)
                    seen[code] = seen.get(code, 0) + 1
        # It explored: many requests, rules refusing (404s, 400s) and the
        # validator refusing; and every field was called at least once.
        assert sent > 200 and "graphql_invalid" in seen and len(seen) > 5, (sent, seen)
