"""The same promise on PostgreSQL: after an encrypted chat with a file and a
key backup, a pg_dump of the whole database holds neither the plaintext nor
a private key, and the media folder and log do not either."""

from __future__ import annotations

import asyncio
import base64
import shutil
import subprocess

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from tests.client.e2ee_helpers import person
from tests.conftest import IN_CI, _truncate

SECRET = "the blue heron flies south"


@pytest.fixture
def pg_server(tmp_path, postgres_url):
    asyncio.run(_truncate(postgres_url))
    (tmp_path / "pg").mkdir()
    server = ServerProcess(tmp_path / "pg", database=postgres_url, env=BENCH_ENV)
    asyncio.run(server.start())
    yield server
    server.stop()


async def test_pg_dump_holds_no_plaintext_and_no_private_key(pg_server, postgres_url, tmp_path):
    if shutil.which("pg_dump") is None:
        if IN_CI:
            pytest.fail("pg_dump is not installed")
        pytest.skip("pg_dump is not installed")
    alice = await person(pg_server.url, tmp_path, "alice")
    bob = await person(pg_server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    entry = await alice.phone.upload(chat.id, (SECRET + "\n").encode() * 5000, name="heron.txt")
    await alice.phone.send(chat.id, SECRET, attachments=[entry])
    await bob.phone.send(chat.id, f"re: {SECRET}")
    await alice.phone.backup("a long recovery passphrase")
    opened = [await bob.phone.read(m) for m in (await bob.phone.client.messages(chat.id)).items]
    assert [r.text for r in opened] == [SECRET, f"re: {SECRET}"]
    assert await bob.phone.download(opened[0].attachments[0]) == (SECRET + "\n").encode() * 5000
    await alice.close(), await bob.close()
    pg_server.stop()

    dump = subprocess.run(["pg_dump", "--data-only", postgres_url], capture_output=True, check=True).stdout
    assert alice.phone.device.x25519.encode() in dump  # the dump is real: public keys are there
    private = [base64.b64encode(bytes(d.box_key)).decode() for d in (alice.phone.device, bob.phone.device)]
    private += [base64.b64encode(bytes(d.sign_key)).decode() for d in (alice.phone.device, bob.phone.device)]
    for needle in [SECRET, "heron.txt", "a long recovery passphrase", *private]:
        assert needle.encode() not in dump, needle
        for path in pg_server.data_dir.rglob("*"):
            if path.is_file():
                assert needle.encode() not in path.read_bytes(), (needle, path)
