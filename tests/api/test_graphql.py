"""GraphQL over HTTP: the flag, authentication and CSRF as for REST, bounded
store calls for a screen's data, limits, and REST's error codes."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from tests.api.account_helpers import login
from tests.api.graphql_helpers import GQL, codes, gql
from tests.api.message_helpers import direct, group, send
from tests.conftest import register

LIST = """{ conversations(first: 100) { next items { id title unread
             lastMessage { body sender { username } } members { role user { username } } } } }"""


def app(config_with, **sections):
    sections.setdefault("features", {"graphql": True})
    return AsyncTestClient(create_app(config_with(**sections)))


async def test_off_for_a_user_it_does_not_exist(client):
    ann, bob = await register(client, "ann"), await register(client, "bob")  # ann: first, so admin
    for r in (await client.post(GQL, json={"query": "{ me { id } }"}, headers=bob.headers),
              await client.get(GQL, headers=bob.headers)):
        assert r.status_code == 404 and r.json()["code"] == "feature_disabled"
    await client.put("/api/v1/admin/features/graphql", json={"state": "off", "users": ["bob"]}, headers=ann.headers)
    assert (await gql(client, bob, "{ me { username } }"))["data"] == {"me": {"username": "bob"}}
    assert (await client.post(GQL, json={"query": "{ me { id } }"}, headers=ann.headers)).status_code == 404
    page = await client.get(GQL, headers=bob.headers)
    assert page.status_code == 200 and "/static/graphiql/init.js" in page.text and "<script>" not in page.text


async def test_same_authentication_and_csrf_as_rest(config_with):
    async with app(config_with) as client:
        await register(client, "ann")
        assert (await client.post(GQL, json={"query": "{ me { id } }"})).status_code == 401
        r = await login(client, "ann")
        csrf = r.cookies["csrf_token"]
        no_csrf = await client.post(GQL, json={"query": "{ me { username } }"})
        assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "csrf_failed"
        ok = await client.post(GQL, json={"query": "{ me { username } }"}, headers={"x-csrf-token": csrf})
        assert ok.json() == {"data": {"me": {"username": "ann"}}}


async def test_a_conversation_list_costs_a_bounded_number_of_store_calls(config_with):
    async with app(config_with) as client:
        people = [await register(client, f"user{i}") for i in range(6)]
        me = people[0]
        stores = client.app.state.runtime.stores
        calls: list[str] = []
        for port in ("users", "conversations", "messages", "contacts", "events"):
            store = getattr(stores, port)
            for name in dir(type(store)):
                if not name.startswith("_") and callable(getattr(store, name)):
                    def counted(*a, _f=getattr(store, name), _n=f"{port}.{name}", **k):
                        calls.append(_n)
                        return _f(*a, **k)
                    setattr(store, name, counted)

        async def cost(n_convs: int) -> int:
            while len((await client.get("/api/v1/conversations", headers=me.headers)).json()["items"]) < n_convs:
                conv = await group(client, me, *people[1:], title=f"g{n_convs}")
                await send(client, conv, people[1], "hello")
            calls.clear()
            body = await gql(client, me, LIST, expect_errors=False)
            assert len(body["data"]["conversations"]["items"]) == n_convs
            assert all(c["lastMessage"]["sender"]["username"] == "user1" for c in body["data"]["conversations"]["items"])
            return len(calls)

        few, many = await cost(2), await cost(20)
        # list_for, members_of, latest_in, get_many (members), get_many (senders: one DataLoader batch)
        assert 0 < few == many <= 6, calls  # the same whatever the number of conversations


async def test_paging_conversations_and_messages_both_ways(config_with):
    async with app(config_with) as client:
        ann, bob = await register(client, "ann"), await register(client, "bob")
        convs = [await group(client, ann, bob, title=f"g{i}") for i in range(3)]
        first = (await gql(client, ann, "{ conversations(first: 2) { next items { id } } }"))["data"]["conversations"]
        rest = (await gql(client, ann, "query($a: String) { conversations(first: 2, after: $a) { next items { id } } }",
                          a=first["next"]))["data"]["conversations"]
        assert rest["next"] is None and {c["id"] for c in first["items"] + rest["items"]} == set(convs)
        for i in range(5):
            await send(client, convs[0], ann, f"m{i}")
        q = "query($c: String!, $b: Int, $a: Int) { messages(conversationId: $c, beforeSeq: $b, afterSeq: $a, first: 2) { hasMore items { seq body } } }"
        newest = (await gql(client, ann, q, c=convs[0]))["data"]["messages"]
        assert [m["body"] for m in newest["items"]] == ["m3", "m4"] and newest["hasMore"]
        older = (await gql(client, ann, q, c=convs[0], b=newest["items"][0]["seq"]))["data"]["messages"]
        assert [m["body"] for m in older["items"]] == ["m1", "m2"]
        after = (await gql(client, ann, q, c=convs[0], a=older["items"][-1]["seq"]))["data"]["messages"]
        assert [m["body"] for m in after["items"]] == ["m3", "m4"] and not after["hasMore"]
        both = await gql(client, ann, q, c=convs[0], a=1, b=3)
        assert codes(both) == ["invalid_paging"]


async def test_mutations_keep_rests_rules(config_with):
    async with app(config_with) as client:
        ann, bob = await register(client, "ann"), await register(client, "bob")
        conv = await direct(client, ann, bob)
        send_q = 'mutation($c: String!) { send(conversationId: $c, input: {clientId: "k1", body: " hi "}) { created message { id body version } } }'
        first = (await gql(client, ann, send_q, c=conv))["data"]["send"]
        again = (await gql(client, ann, send_q, c=conv))["data"]["send"]
        assert first["created"] and not again["created"] and again["message"]["id"] == first["message"]["id"]
        mid = first["message"]["id"]
        edit = 'mutation($m: String!, $v: Int!, $t: String) { edit(messageId: $m, version: $v, bodyText: $t) { body version } }'
        assert (await gql(client, ann, edit, m=mid, v=1, t="hello"))["data"]["edit"] == {"body": "hello", "version": 2}
        stale = await gql(client, ann, edit, m=mid, v=1, t="late")
        err = stale["errors"][0]["extensions"]
        assert err["code"] == "version_conflict" and err["status"] == 409
        assert (err["current"]["body"], err["current"]["version"]) == ("hello", 2)
        assert codes(await gql(client, bob, edit, m=mid, v=2, t="mine")) == ["not_sender"]
        bad = 'mutation($c: String!) { send(conversationId: $c, input: {clientId: "bad id!", body: "x"}) { created } }'
        assert codes(await gql(client, ann, bad, c=conv)) == ["invalid"]
        react = 'mutation($m: String!) { react(messageId: $m, emoji: "👍") { reactions } }'
        assert (await gql(client, bob, react, m=mid))["data"]["react"]["reactions"] == {"👍": [bob.id]}
        read = 'mutation($c: String!) { read(conversationId: $c, seq: 1) }'
        assert (await gql(client, bob, read, c=conv))["data"]["read"] == 1
        contact = 'mutation($u: String!) { requestContact(userId: $u) { status user { username } } }'
        assert (await gql(client, ann, contact, u=bob.id))["data"]["requestContact"]["user"]["username"] == "bob"
        assert (await gql(client, bob, "{ contacts { status user { username } } }"))["data"]["contacts"][0]["user"] == {"username": "ann"}
        assert (await gql(client, ann, "mutation($m: String!) { delete(messageId: $m) }", m=mid))["data"] == {"delete": True}
        assert codes(await gql(client, ann, 'mutation { openDirect(userId: "nobody") { id } }')) == ["user_not_found"]


@pytest.mark.parametrize("query, code", [
    ("{ conversations { items { lastMessage { sender { username } } } } }", "graphql_invalid"),  # depth 5 > 3
    ("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(40)) + " }", "graphql_invalid"),  # aliases
    ("{ __schema { types { name } } }", "graphql_invalid"),  # introspection off here
    ("subscription { events { seq } }", "graphql_invalid"),  # subscriptions: the socket only
    ("{ nope }", "graphql_invalid"),
    ("{ messages(conversationId: \"x\", first: 5000) { hasMore } }", "invalid"),
    ("{ sync(since: \"garbage\") { next } }", "invalid_cursor"),
])
async def test_limits_and_bad_documents_are_errors_with_codes(config_with, query, code):
    async with app(config_with, graphql={"max_depth": 3, "introspection": False}) as client:
        ann = await register(client, "ann")
        body = await gql(client, ann, query, expect_errors=True)
        assert codes(body)[0] == code, body


async def test_bad_requests_are_400_problems(config_with):
    async with app(config_with) as client:
        ann = await register(client, "ann")
        for raw in (b"{", b"[]", b'{"query": 5}', b'{"query": "{ me { id } }", "variables": []}',
                    b'{"query": "{ me { id \xff } }"}'):
            r = await client.post(GQL, content=raw, headers={**ann.headers, "content-type": "application/json"})
            assert r.status_code == 400 and r.json()["code"] == "invalid", raw
        deep = b'{"query": "{ me { id } }", "variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
        r = await client.post(GQL, content=deep, headers={**ann.headers, "content-type": "application/json"})
        assert r.status_code == 400 and r.json()["code"] == "too_deep", r.text
