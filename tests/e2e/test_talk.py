"""Issue 3's "done when", with the terminal client: two people in `chatd
talk` see each other's messages, typing and presence live; one loses the
network while the other sends 50 messages, and when it comes back all 50
are shown, once, in order."""

from __future__ import annotations

import asyncio
import contextlib
import re

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.client import Client
from tests.e2e.talk_harness import PASSWORD, Network, Terminal


@pytest.fixture
async def server(tmp_path):
    # Short grace and typing periods, so that "offline" and a typing
    # indicator's end show within the test.
    proc = ServerProcess(tmp_path, env=BENCH_ENV,
                         config={"realtime": {"presence_grace_seconds": 1, "typing_ttl_seconds": 1}})
    await proc.start()
    for name in ("alice", "bob"):
        async with Client(proc.url) as c:
            await c.register(name, PASSWORD, display_name=name.title())
    try:
        yield proc
    finally:
        assert proc.stop() == 0, proc.log_tail()


def talk(url: str, me: str, other: str, *, tty: bool) -> Terminal:
    return Terminal(me, "--with", other, "--url", url, "--password-stdin", tty=tty)


@contextlib.asynccontextmanager
async def two_terminals(server, *, bob_tty: bool, alice_tty: bool):
    """bob and alice, each in `chatd talk` with the other."""
    bob = talk(server.url, "bob", "alice", tty=bob_tty)
    alice = talk(server.url, "alice", "bob", tty=alice_tty)
    try:
        yield bob, alice
    finally:
        alice.kill()
        bob.kill()


async def test_two_terminals_see_messages_typing_and_presence_live(server):
    async with two_terminals(server, bob_tty=True, alice_tty=False) as (bob, alice):
        await bob.expect("talking with Alice")
        await alice.expect("talking with Bob")
        await bob.expect("* Alice is online")
        await alice.expect("* Bob is online")
        bob.type("hel")  # no Enter yet: alice sees bob typing
        await alice.expect("* Bob is typing")
        bob.type("lo alice\r")
        await alice.expect("] Bob: hello alice")
        alice.type("hi bob\n")
        await bob.expect("] Alice: hi bob")
        await bob.expect("] Bob: hello alice")  # bob's own line, from the server, in order
        alice.type("/away\n")
        await bob.expect("* Alice is away")
        alice.end_input()
        assert await alice.exit_code() == 0
        await bob.expect("* Alice is offline")
        bob.type("\x04")  # Ctrl-D
        assert await bob.exit_code() == 0


async def test_a_typing_line_survives_what_arrives_meanwhile(server):
    async with two_terminals(server, bob_tty=True, alice_tty=False) as (bob, alice):
        await bob.expect("* Alice is online")
        bob.type("half a sen")
        alice.type("interrupting\n")
        await bob.expect("] Alice: interrupting")
        await bob.expect("> half a sen")  # the unfinished line is drawn again below it
        bob.type("tence\x7f\x7f\x7f\x7f\x7fTENCE\r")  # backspace works
        await alice.expect("] Bob: half a senTENCE")


@contextlib.asynccontextmanager
async def bob_talks_alice_scripts(server, bob_url: str):
    """bob in `chatd talk` (pipes), alice through chatd.client."""
    bob = talk(bob_url, "bob", "alice", tty=False)
    try:
        async with Client(server.url) as alice:
            await alice.login("alice", PASSWORD)
            await bob.expect("talking with Alice")
            yield bob, alice, (await alice.conversations())[0]
    finally:
        bob.kill()


async def test_a_typing_indicator_ends_when_the_server_says(server):
    async with two_terminals(server, bob_tty=True, alice_tty=True) as (bob, alice):
        await bob.expect("* Alice is online")
        alice.type("sure, let me")
        await bob.expect("(Alice is typing) > ")
        await asyncio.sleep(1.5)  # expires_in is 1 s here
        assert bob.text.endswith("\x1b[K> "), bob.text[-200:]


async def test_network_gone_then_back_shows_all_50_once_in_order(server):
    network = Network(server.port)
    await network.start()
    try:
        async with bob_talks_alice_scripts(server, network.url) as (bob, alice, chat):
            await alice.send(chat.id, "before")
            await bob.expect("] Alice: before")
            network.down()
            await bob.expect("* connection lost; reconnecting...")
            for i in range(50):
                await alice.send(chat.id, f"missed {i}")
            network.up()
            await bob.expect("* connected again", timeout=20)
            await bob.expect("] Alice: missed 49")
            await alice.send(chat.id, "after")
            await bob.expect("] Alice: after")
            shown = re.findall(r"\] Alice: (.+)", bob.text)
            # bob's side marked everything read (one frame at a time, the newest seq)
            last = (await alice.messages(chat.id, limit=1)).items[-1].seq
            for _ in range(50):
                members = (await alice.conversation(chat.id)).members
                read = next(m.last_read_seq for m in members if m.user and m.user.username == "bob")
                if read == last:
                    break
                await asyncio.sleep(0.1)
            assert read == last
        assert shown == ["before", *(f"missed {i}" for i in range(50)), "after"]
    finally:
        await network.close()


async def test_edits_and_deletions_are_shown(server):
    async with bob_talks_alice_scripts(server, server.url) as (bob, alice, chat):
        sent = await alice.send(chat.id, "teh typo")
        await bob.expect("] Alice: teh typo")
        await alice.edit(sent.id, "the typo", sent.version)
        await bob.expect("] Alice (edited): the typo")
        await alice.delete_message(sent.id)
        await bob.expect("* Alice deleted a message")


async def test_lines_piped_in_are_all_sent_before_it_leaves(server):
    alice = talk(server.url, "alice", "bob", tty=False)
    try:
        await alice.expect("talking with Bob")
        alice.type("one\ntwo\nthree\n")
        alice.end_input()  # at once: the sends may still be in flight
        assert await alice.exit_code() == 0
        async with Client(server.url) as bob:
            await bob.login("bob", PASSWORD)
            chat = (await bob.conversations())[0]
            page = await bob.messages(chat.id)
        assert [m.body for m in page.items] == ["one", "two", "three"]
    finally:
        alice.kill()


async def test_unknown_peer_and_wrong_password_end_with_a_clear_line(server):
    nobody = talk(server.url, "alice", "nobody", tty=False)
    wrong = Terminal("bob", "--with", "alice", "--url", server.url, "--password-stdin", tty=False,
                     password="not the password")
    try:
        assert await nobody.exit_code() == 1
        assert "no user named 'nobody'" in nobody.text
        assert await wrong.exit_code() == 1
        assert "chatd talk: 401" in wrong.text
    finally:
        nobody.kill()
        wrong.kill()


async def test_someone_elses_conversation_is_not_shown(server):
    async with Client(server.url) as alice:
        await alice.login("alice", PASSWORD)
        private = await alice.create_group("alice's notes", [])
        await alice.send(private.id, "secret")
    bob = Terminal("bob", "--conversation", private.id, "--url", server.url, "--password-stdin", tty=False)
    try:
        assert await bob.exit_code() == 1
        assert "chatd talk: 404" in bob.text and "secret" not in bob.text
    finally:
        bob.kill()


async def test_a_history_length_out_of_range_is_refused_before_anything_else():
    for bad in ("0", "201"):
        term = Terminal("alice", "--with", "bob", "--history", bad, tty=False)
        try:
            assert await term.exit_code() == 2
            assert "--history must be 1 to 200" in term.text
        finally:
            term.kill()


async def test_a_server_that_is_not_there_is_named(tmp_path):
    from chatd.bench.server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    away = talk(url, "alice", "bob", tty=False)
    try:
        assert await away.exit_code() == 1
        assert f"chatd talk: cannot reach {url}" in away.text
        assert "Traceback" not in away.text
    finally:
        away.kill()


async def test_send_a_file_and_save_it(server, tmp_path):
    photo = tmp_path / "out" / "notes.txt"
    photo.parent.mkdir()
    photo.write_text("meeting at noon\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    async with two_terminals(server, bob_tty=True, alice_tty=False) as (bob, alice):
        await bob.expect("talking with Alice")
        await alice.expect("* Bob is online")
        alice.type(f"/file {photo}\n")
        await bob.expect("] Alice: [file #1]")
        await bob.expect("file #1: notes.txt (16 bytes, text/plain) - /save 1")
        bob.type(f"/save 1 {inbox}\r")
        await bob.expect(f"* saved {inbox / 'notes.txt'}")
        assert (inbox / "notes.txt").read_text() == "meeting at noon\n"
        bob.type("/save 7\r")
        await bob.expect("* /save N [FOLDER], with N from 1 to 1")
        alice.type(f"/file {tmp_path / 'missing.bin'}\n")
        await alice.expect("* no such file:")
    # Shown in history too, for someone who opens the chat later.
    later = talk(server.url, "bob", "alice", tty=False)
    try:
        await later.expect("] Alice: [file #1]")
        await later.expect("file #1: notes.txt")
    finally:
        later.kill()
