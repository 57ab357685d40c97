"""Two `chatd talk` processes in an end-to-end encrypted conversation: text
and a file both ways, safety numbers that match, /verify, a key backup
under a passphrase, a fresh install restored from it that reads the
history, the key-change warning the other side then sees; and the server's
data folder (database, media, log) holds none of the plaintext."""

from __future__ import annotations

import os
import re

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.client import Client
from tests.e2e.talk_harness import PASSWORD, Terminal

SECRET = "meet me under the old clock tower"
PASSPHRASE = "purple elephants dance at dawn"


@pytest.fixture
async def server(tmp_path):
    proc = ServerProcess(tmp_path / "server", env=BENCH_ENV)
    (tmp_path / "server").mkdir()
    await proc.start()
    for name in ("alice", "bob"):
        async with Client(proc.url) as c:
            await c.register(name, PASSWORD, display_name=name.title())
    try:
        yield proc
    finally:
        proc.stop()


def numbers(text: str, name: str) -> str:
    found = re.findall(rf"safety number with {name} \([^)]*\): ((?:\d{{5}} ?){{12}})", text)
    assert found, text[-2000:]
    return found[-1].strip()


async def test_two_terminals_talk_encrypted_and_a_restored_install_reads_the_history(server, tmp_path):
    bob_keys, alice_keys = tmp_path / "bob-laptop", tmp_path / "alice-phone"
    bob = Terminal("bob", "--with", "alice", "--e2ee", "--url", server.url, "--password-stdin", tty=True,
                   env={"CHATD_CONFIG_DIR": str(bob_keys)})
    alice = fresh = None
    try:
        await bob.expect("talking with Alice (end-to-end encrypted)")
        # alice opens it after bob made it (encrypted); she needs no flag.
        alice = Terminal("alice", "--with", "bob", "--url", server.url, "--password-stdin", tty=False,
                         env={"CHATD_CONFIG_DIR": str(alice_keys)})
        await alice.expect("talking with Bob (end-to-end encrypted)")
        bob.type(f"{SECRET}\r")
        await alice.expect(f"] Bob: {SECRET}")
        alice.type("ünïcode reply ✓\n")
        await bob.expect("] Alice: ünïcode reply ✓")
        # Safety numbers: the same 60 digits on both sides; /verify marks it.
        alice.type("/safety\n")
        bob.type("/safety\r")
        await alice.expect("safety number with Bob (not verified)")
        await bob.expect("safety number with Alice (not verified)")
        assert numbers(alice.text, "Bob") == numbers(bob.text, "Alice")
        alice.type("/verify\n")
        await alice.expect("* Bob marked verified")
        alice.type("/search CLOCK tower\n")  # the server cannot: alice's terminal searches what it decrypted
        await alice.expect("* 1 found for 'CLOCK tower' (searched on this device)")
        await alice.expect(f"] Bob: {SECRET}\n")
        # A file of several 64 KiB chunks, encrypted before upload.
        photo = tmp_path / "plan.txt"
        photo.write_bytes((SECRET + "\n").encode() * 8000)  # 272,000 bytes
        alice.type(f"/file {photo}\n")
        await bob.expect("file #1: plan.txt (265.6 KB, text/plain, encrypted)")
        saved = tmp_path / "bob-saved"
        saved.mkdir()
        bob.type(f"/save 1 {saved}\r")
        await bob.expect("(decrypted, checked)")
        assert (saved / "plan.txt").read_bytes() == photo.read_bytes()
        # A key backup: the warning first, the passphrase twice, never shown.
        bob.type("/backup\r")
        await bob.expect("your encrypted history is gone for good")
        await bob.expect("recovery passphrase (at least 12 characters")
        bob.type(f"{PASSPHRASE}\r")
        await bob.expect("the same passphrase again")
        bob.type(f"{PASSPHRASE}\r")
        await bob.expect("key backup stored (argon2id)", timeout=30)
        assert PASSPHRASE not in bob.text
        bob.type("/quit\r")
        assert await bob.exit_code() == 0
        # A new install of bob's (empty key folder) cannot read the history...
        blind = Terminal("bob", "--with", "alice", "--url", server.url, "--password-stdin", tty=False,
                         env={"CHATD_CONFIG_DIR": str(tmp_path / "bob-blind")})
        await blind.expect("] Bob: [could not be decrypted: no key for this device")
        assert SECRET not in blind.text
        blind.end_input()
        assert await blind.exit_code() == 0
        # ...one that restores with the passphrase reads everything.
        fresh = Terminal("bob", "--with", "alice", "--restore", "--url", server.url, "--password-stdin", tty=False,
                         env={"CHATD_CONFIG_DIR": str(tmp_path / "bob-new-laptop")})
        fresh.type(f"{PASSPHRASE}\n")
        await fresh.expect("restored the keys of 1 earlier device(s)", timeout=30)
        await fresh.expect(f"] Bob: {SECRET}")
        await fresh.expect("] Alice: ünïcode reply ✓")
        assert "could not be decrypted" not in fresh.text
        # alice verified bob's old keys: his new device is a key change she is warned about.
        alice.type("are you on a new laptop?\n")
        await alice.expect("WARNING: Bob's keys changed")
        await fresh.expect("] Alice: are you on a new laptop?")
        alice.type("/safety\n")
        await alice.expect("safety number with Bob (CHANGED, not verified)")
        fresh.end_input()
        alice.end_input()
        assert await fresh.exit_code() == 0 and await alice.exit_code() == 0
    finally:
        for t in (alice, bob, fresh):
            if t is not None:
                t.kill()
    # Key files are private; the server kept no plaintext anywhere.
    for folder in (bob_keys, alice_keys):
        for key_file in (folder / "e2ee").glob("*.json"):
            assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    assert server.stop() == 0
    leaks = [str(p) for p in server.data_dir.rglob("*") if p.is_file()
             and any(s.encode() in p.read_bytes() for s in (SECRET, "ünïcode reply", "new laptop", PASSPHRASE))]
    assert leaks == []


async def test_e2ee_never_switches_an_existing_plain_conversation(server, tmp_path):
    async with Client(server.url) as alice:
        await alice.login("alice", PASSWORD)
        bob = [u for u in await alice.users("bob") if u.username == "bob"][0]
        plain = await alice.create_direct(bob.id, e2ee=False)
    term = Terminal("bob", "--with", "alice", "--e2ee", "--url", server.url, "--password-stdin", tty=False)
    try:
        assert await term.exit_code() == 1
        assert "already exists, unencrypted; --e2ee only applies to a new one" in term.text
    finally:
        term.kill()
    async with Client(server.url) as alice:
        await alice.login("alice", PASSWORD)
        assert (await alice.conversation(plain.id)).e2ee is False
    # In a plain conversation /search asks the server.
    term = Terminal("bob", "--with", "alice", "--url", server.url, "--password-stdin", tty=False)
    try:
        await term.expect("talking with Alice. ")
        term.type("plain words here\n")
        await term.expect("] Bob: plain words here")
        term.type("/search WORDS\n")
        await term.expect("* 1 found for 'WORDS'\n")
        term.end_input()
        assert await term.exit_code() == 0
    finally:
        term.kill()
