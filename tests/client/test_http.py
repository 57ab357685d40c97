"""chatd.client over HTTP against a real served app (a subprocess)."""

from __future__ import annotations

import pytest

from chatd.client import ChatdError, Client, new_client_id
from chatd.client.e2ee import Device
from chatd.domain import Message
from tests.client.conftest import PASSWORD


async def test_register_login_logout(new_client, served) -> None:
    alice = await new_client("alice")
    me = await alice.me()
    assert me.username.startswith("alice") and me.id
    async with Client(served.url, trust_env=False) as again:
        login = await again.login(me.username, PASSWORD)
        assert login.user.id == me.id and login.token and login.token != alice.token
        assert (await again.me()).id == me.id
        await again.logout()
        assert again.token is None
        again.token = login.token  # the ended session no longer works
        with pytest.raises(ChatdError) as err:
            await again.me()
        assert (err.value.status, err.value.code) == (401, "invalid_token")
    # alice's own session is untouched by the other one's logout
    assert (await alice.me()).id == me.id


async def test_wrong_password_is_401_with_a_code(new_client, served) -> None:
    alice = await new_client("alice")
    async with Client(served.url, trust_env=False) as other:
        with pytest.raises(ChatdError) as err:
            await other.login((await alice.me()).username, "not the password")
    assert err.value.status == 401
    assert err.value.code and err.value.problem["status"] == 401


async def test_conversation_and_messages_round_trip(new_client) -> None:
    alice, bob = await new_client("alice"), await new_client("bob")
    bob_id = (await bob.me()).id
    chat = await alice.create_direct(bob_id)
    assert chat.kind == "direct" and {m.user_id for m in chat.members} == {(await alice.me()).id, bob_id}
    assert (await bob.create_direct((await alice.me()).id)).id == chat.id  # one per pair
    sent = [await alice.send(chat.id, f"line {i}") for i in range(5)]
    assert [m.seq for m in sent] == [1, 2, 3, 4, 5]
    page = await bob.messages(chat.id, limit=3)
    assert [m.body for m in page.items] == ["line 2", "line 3", "line 4"] and page.has_more
    older = await bob.messages(chat.id, before_seq=page.items[0].seq)
    assert [m.seq for m in older.items] == [1, 2] and not older.has_more
    listed = {c.id: c for c in await bob.conversations()}
    assert listed[chat.id].unread == 5 and listed[chat.id].last_message.body == "line 4"
    assert (await bob.mark_read(chat.id, 5)).last_read_seq == 5
    assert (await bob.conversation(chat.id)).unread == 0

    edited = await alice.edit(sent[0].id, "line zero", sent[0].version)
    assert edited.body == "line zero" and edited.version == sent[0].version + 1
    reacted = await bob.react(sent[0].id, "👍")
    assert reacted.reactions == {"👍": [bob_id]}
    assert (await bob.unreact(sent[0].id, "👍")).reactions == {}
    await alice.delete_message(sent[1].id)
    assert (await bob.message(sent[1].id)).deleted_at is not None
    assert [m.id for m in await bob.search("zero", conversation_id=chat.id)] == [sent[0].id]


async def test_group_members_and_version_conflict(new_client) -> None:
    owner, a, b = await new_client("owner"), await new_client("a"), await new_client("b")
    a_id, b_id = (await a.me()).id, (await b.me()).id
    group = await owner.create_group("team", [a_id])
    added = await owner.add_members(group.id, [b_id, a_id])
    assert [m.user_id for m in added] == [b_id]  # a was already in
    renamed = await owner.update_conversation(group.id, group.version, title="team 2")
    assert renamed.title == "team 2" and renamed.version == group.version + 1
    with pytest.raises(ChatdError) as err:
        await owner.update_conversation(group.id, group.version, title="stale")
    assert (err.value.status, err.value.code) == (409, "version_conflict")
    assert err.value.problem["current"]["title"] == "team 2"
    await owner.remove_member(group.id, b_id)
    with pytest.raises(ChatdError) as err:
        await b.conversation(group.id)
    assert err.value.status == 404  # removed: it no longer exists for b


async def test_idempotent_retry_returns_the_first_message(new_client) -> None:
    alice, bob = await new_client("alice"), await new_client("bob")
    chat = await alice.create_direct((await bob.me()).id)
    client_id = new_client_id()
    path = f"/conversations/{chat.id}/messages"
    first = await alice.request("POST", path, json={"client_id": client_id, "body": "once"})
    retry = await alice.request("POST", path, json={"client_id": client_id, "body": "once"})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"]
    again = await alice.send(chat.id, "once", client_id=client_id)
    assert isinstance(again, Message) and again.id == first.json()["id"] and again.seq == 1
    assert [m.client_id for m in (await bob.messages(chat.id)).items] == [client_id]


async def test_errors_carry_status_and_code(new_client) -> None:
    alice, bob, eve = await new_client("alice"), await new_client("bob"), await new_client("eve")
    chat = await alice.create_direct((await bob.me()).id)
    message = await alice.send(chat.id, "private")
    for call in (lambda: eve.conversation(chat.id), lambda: eve.messages(chat.id),
                 lambda: eve.send(chat.id, "let me in"), lambda: alice.conversation("01NOSUCHCONVERSATION0000000")):
        with pytest.raises(ChatdError) as err:
            await call()
        assert err.value.status == 404 and err.value.code.endswith("not_found"), err.value
    with pytest.raises(ChatdError) as err:
        await bob.edit(message.id, "not mine", message.version)
    assert (err.value.status, err.value.code) == (403, "not_sender")
    with pytest.raises(ChatdError) as err:
        await alice.send(chat.id, "x", client_id="spaces are not allowed")
    assert err.value.status == 400 and err.value.code == "invalid"
    await alice.edit(message.id, "v2", message.version)
    with pytest.raises(ChatdError) as err:
        await alice.edit(message.id, "v2 again", message.version)
    assert (err.value.status, err.value.code) == (409, "version_conflict")
    assert err.value.problem["current"]["body"] == "v2"
    alice.token = "not-a-token"
    with pytest.raises(ChatdError) as err:
        await alice.me()
    assert (err.value.status, err.value.code) == (401, "invalid_token")
    alice.token = None
    with pytest.raises(ChatdError) as err:
        await alice.me()
    assert (err.value.status, err.value.code) == (401, "unauthenticated")


async def test_tokens_keys_contacts_and_directory(new_client, served) -> None:
    alice, bob = await new_client("alice"), await new_client("bob")
    bob_me = await bob.me()
    token = await alice.create_token("bot")
    assert [t.id for t in await alice.tokens()] == [token.id]
    async with Client(served.url, token=token.token, trust_env=False) as bot:
        assert (await bot.me()).id == (await alice.me()).id
        await alice.delete_token(token.id)
        with pytest.raises(ChatdError) as err:
            await bot.me()
        assert err.value.status == 401
    device = Device.generate().published()
    with pytest.raises(ChatdError) as err:  # signed for another device id
        await alice.publish_keys(**{**device, "device_id": "laptop"})
    assert err.value.code == "invalid_signature"
    user = await alice.publish_keys(**device)
    assert [k.device_id for k in user.keys] == [device["device_id"]]
    assert (await bob.user(user.id)).keys[0].sig == device["sig"]
    assert bob_me.id in {u.id for u in await alice.users(bob_me.username)}
    request = await alice.request_contact(bob_me.id)
    assert request.status == "pending_out" and request.user.username == bob_me.username
    assert (await bob.accept_contact(user.id)).status == "accepted"
    assert [(c.user_id, c.status) for c in await alice.contacts()] == [(bob_me.id, "accepted")]
    await alice.remove_contact(bob_me.id)
    assert await alice.contacts() == []
