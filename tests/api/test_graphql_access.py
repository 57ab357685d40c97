"""GraphQL twins of the REST access-control tests: for someone outside a
conversation it does not exist (conversation_not_found / message_not_found,
no data, none of its text), whichever query or mutation asks."""

from __future__ import annotations

import pytest

from tests.api.graphql_helpers import codes, gql
from tests.api.message_helpers import group, send
from tests.conftest import register

# (name, document, the error code an outsider gets) - one row per REST door
# of tests/api/test_conversations.py::test_outsiders_get_404_everywhere and
# tests/api/test_messages.py::test_two_people_talk_and_a_third_sees_nothing.
NOT_FOUND = "conversation_not_found"
DOORS = [
    ("conversation", "query($c: String!) { conversation(id: $c) { id title } }", NOT_FOUND),
    ("messages", "query($c: String!) { messages(conversationId: $c) { items { body } } }", NOT_FOUND),
    ("send", 'mutation($c: String!) { send(conversationId: $c, input: {clientId: "e1", body: "let me in"}) '
             "{ message { id } } }", NOT_FOUND),
    ("update", 'mutation($c: String!) { updateConversation(conversationId: $c, version: 1, title: "x") { id } }',
     NOT_FOUND),
    ("add members", "mutation($c: String!, $me: String!) { addMembers(conversationId: $c, userIds: [$me]) { id } }",
     NOT_FOUND),
    ("remove other", "mutation($c: String!, $bob: String!) { removeMember(conversationId: $c, userId: $bob) }",
     NOT_FOUND),
    ("leave", "mutation($c: String!, $me: String!) { removeMember(conversationId: $c, userId: $me) }", NOT_FOUND),
    ("mute", "mutation($c: String!, $bob: String!) { setMember(conversationId: $c, userId: $bob, muted: true) "
             "{ userId } }", NOT_FOUND),
    ("read", "mutation($c: String!) { read(conversationId: $c, seq: 1) }", NOT_FOUND),
    ("search in it", 'query($c: String!) { search(q: "Bob", conversationId: $c) { body } }', NOT_FOUND),
    ("attachments", "query($c: String!) { attachments(conversationId: $c) { filename } }", NOT_FOUND),
    ("message", "query($m: String!) { message(id: $m) { body } }", "message_not_found"),
    ("edit", 'mutation($m: String!) { edit(messageId: $m, version: 1, bodyText: "x") { id } }', "message_not_found"),
    ("delete", "mutation($m: String!) { delete(messageId: $m) }", "message_not_found"),
    ("react", 'mutation($m: String!) { react(messageId: $m, emoji: "👍") { id } }', "message_not_found"),
]


@pytest.fixture
async def scene(config_with):

    from litestar.testing import AsyncTestClient

    from chatd.app import create_app

    async with AsyncTestClient(create_app(config_with(features={"graphql": True}))) as client:
        ann, bob, eve = [await register(client, n) for n in ("ann", "bob", "eve")]
        conv = await group(client, ann, bob)
        hi = await send(client, conv, ann, "Hi Bob", client_id="a-1")
        yield client, ann, bob, eve, conv, hi


@pytest.mark.parametrize("name, document, code", DOORS, ids=[d[0] for d in DOORS])
async def test_an_outsider_finds_nothing(scene, name, document, code):
    client, ann, bob, eve, conv, hi = scene
    variables = {"c": conv, "m": hi["id"], "me": eve.id, "bob": bob.id}
    used = {k: v for k, v in variables.items() if f"${k}" in document}
    body = await gql(client, eve, document, expect_errors=True, **used)
    assert codes(body) == [code] and body["data"] is None
    assert "Hi Bob" not in str(body)
    # The same document works for a member (so the row tests access, not a typo).
    if name not in ("leave", "add members", "remove other", "send", "delete", "edit", "update"):
        assert not (await gql(client, bob, document, **{**used, "me": bob.id})).get("errors"), name


async def test_a_message_view_gets_its_files_from_graphql(scene):
    """Twin of tests/media's access rules: members see a sent file's details, outsiders nothing."""
    client, ann, bob, eve, conv, hi = scene
    r = await client.post(f"/api/v1/conversations/{conv}/attachments", headers=ann.headers,
                          files={"file": ("plan.pdf", b"%PDF-1.4 the plan", "application/pdf")})
    att = r.json()
    await send(client, conv, ann, "the plan", attachments=[att["id"]])
    query = ("query($c: String!, $ids: [String!]) { attachments(conversationId: $c, ids: $ids) "
             "{ id filename contentType size messageId } }")
    body = await gql(client, bob, query, c=conv, ids=[att["id"]])
    [seen] = body["data"]["attachments"]
    assert (seen["filename"], seen["contentType"], seen["size"]) == ("plan.pdf", "application/pdf", 17)
    assert seen["messageId"] is not None
    refused = await gql(client, eve, query, expect_errors=True, c=conv, ids=[att["id"]])
    assert codes(refused) == [NOT_FOUND] and "plan.pdf" not in str(refused)


async def test_an_outsider_lists_searches_and_syncs_nothing(scene):
    client, ann, bob, eve, conv, hi = scene
    body = await gql(client, eve, '{ conversations { items { id } } search(q: "Bob") { id } '
                                  'sync(since: "0") { events { seq } } }', expect_errors=False)
    assert body["data"] == {"conversations": {"items": []}, "search": [], "sync": {"events": []}}
    mine = await gql(client, bob, '{ conversations { items { id } } search(q: "Bob") { id } }')
    assert mine["data"]["conversations"]["items"] == [{"id": conv}] and mine["data"]["search"] == [{"id": hi["id"]}]


async def test_a_block_is_invisible_to_the_blocked_user_but_stops_them(scene):
    """Twin of tests/api/test_contacts.py::test_block_is_invisible_to_the_blocked_user_but_stops_them."""
    client, ann, bob, eve, conv, hi = scene
    await gql(client, ann, "mutation($u: String!) { requestContact(userId: $u) { status } }", u=eve.id)
    await gql(client, eve, "mutation($u: String!) { acceptContact(userId: $u) { status } }", u=ann.id)
    blocked = await gql(client, eve, "mutation($u: String!) { blockContact(userId: $u) { status } }", u=ann.id)
    assert blocked["data"]["blockContact"]["status"] == "blocked"
    assert (await gql(client, ann, "{ contacts { userId status } }"))["data"]["contacts"] == []
    again = await gql(client, ann, "mutation($u: String!) { requestContact(userId: $u) { status } }", u=eve.id)
    assert codes(again) == ["contact_refused"] and "block" not in again["errors"][0]["message"].lower()
    assert codes(await gql(client, ann, "mutation($u: String!) { openDirect(userId: $u) { id } }",
                           u=eve.id)) == ["contact_refused"]


async def test_another_users_profile_has_only_public_fields(scene):
    """Twin of tests/api/test_users.py::test_public_profile_has_only_public_fields."""
    client, ann, bob, eve, conv, hi = scene
    r = await client.patch("/api/v1/me", headers=ann.headers, json={"version": 1, "preferences": {"theme": "midnight"}})
    assert r.status_code == 200
    seen = await gql(client, bob, "query($u: String!) { user(id: $u) { id username displayName } }", u=ann.id)
    assert seen["data"]["user"]["username"] == "ann"
    for private in ("preferences", "role", "version"):
        asked = await gql(client, bob, f"query($u: String!) {{ user(id: $u) {{ {private} }} }}", u=ann.id)
        assert codes(asked) == ["graphql_invalid"] and "midnight" not in str(asked)
    assert codes(await gql(client, bob, '{ user(id: "nobody") { id } }')) == ["not_found"]  # as REST


async def test_the_directory_hides_disabled_users(scene):
    """Twin of tests/api/test_users.py::test_search_hides_disabled_users (ann registered first: admin)."""
    client, ann, bob, eve, conv, hi = scene
    assert (await client.post(f"/api/v1/admin/users/{eve.id}/disable", headers=ann.headers)).status_code == 200
    assert (await gql(client, ann, '{ users(q: "eve") { id } }'))["data"]["users"] == []
