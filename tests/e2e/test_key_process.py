"""ASVS 6.4.2: the pepper, the TOTP sealing key and the media key held by a
separate key process (`chatd keys serve`) that a real `chatd serve` asks
over a real Unix socket: passwords, two-step sign-in and media work through
it; data sealed before it (older blob formats, TOTP secrets sealed in
process) still opens; rotation re-wraps; the key process away is a clear
503 that changes nothing, and the server recovers when it is back; hostile
frames get an error reply or a closed connection, never a dead key process;
the server's own config holds no key and it reads no key file."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import msgspec
import pytest

from chatd import clock
from chatd.bench.server import BENCH_CONFIG, ServerProcess
from chatd.config import ConfigError, load, parse
from chatd.keys import wire
from chatd.services.second_factor import totp
from chatd.storage.blobs.sealed import HEADER, MAGIC
from tests.dumpable import dumpable
from tests.api.message_helpers import direct
from tests.conftest import Account, register
from tests.e2e.key_process import KeyProcess, keygen
from tests.legacy_sealed import legacy_sealed
from tests.media.helpers import upload

PASSWORD = "correct horse battery"
ENV = {"CHATD_ARGON2_FAST": "1"}  # no CHATD_AUTH__PEPPER: the key process has the pepper


@pytest.fixture
def keys(tmp_path):
    process = KeyProcess(tmp_path / "keys", auth={"second_factor_key": keygen()},
                         media={"encryption_key": keygen()})
    process.start()
    yield process
    process.close()


def served(tmp_path: Path, keys: KeyProcess) -> ServerProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}
    server = ServerProcess(tmp_path / "served", config={**BENCH_CONFIG, "keys": {"socket": keys.socket}},
                           env={**ENV})
    server.env = {**env, **ENV}  # the test session's own CHATD_ settings stay out of it
    return server


def client(server: ServerProcess) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=10)


async def login(http: httpx.AsyncClient, name: str) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})


async def enrol_totp(http: httpx.AsyncClient, who: Account) -> str:
    r = await http.post("/api/v1/me/second-factor/totp", headers=who.headers)
    assert r.status_code == 201, r.text
    secret = r.json()["secret"]
    r = await http.post("/api/v1/me/second-factor/totp/confirm", headers=who.headers,
                        json={"code": totp.code_at(secret, clock.now().timestamp())})
    assert r.status_code == 200, r.text
    return secret


async def signs_in_with_totp(http: httpx.AsyncClient, name: str, secret: str, after: int = 0) -> int:
    """Signs in with the code of the next step (within the drift), once the
    clock has passed step `after` (each step is accepted once); answers it."""
    while clock.now().timestamp() // totp.STEP_SECONDS < after:
        await asyncio.sleep(0.5)
    r = await login(http, name)
    assert r.status_code == 401 and r.json()["code"] == "second_factor_required", r.text
    step = int(clock.now().timestamp() // totp.STEP_SECONDS) + 1
    code = totp.code_at(secret, step * totp.STEP_SECONDS)
    r = await http.post("/api/v1/auth/login/second-factor", json={"challenge": r.json()["challenge"], "code": code})
    assert r.status_code == 200, r.text
    return step


async def two_in_a_conversation(http: httpx.AsyncClient) -> tuple[Account, Account, str]:
    alice, bob = await register(http, "alice"), await register(http, "bob")
    return alice, bob, await direct(http, alice, bob)


def stored_blob(server: ServerProcess, attachment_id: str) -> Path:
    found = list((server.data_dir / "media").rglob(f"{attachment_id}.sealed"))
    assert len(found) == 1, found
    return found[0]


async def test_passwords_totp_and_media_go_through_the_key_process(tmp_path, keys):
    assert keys.proc is not None and not dumpable(keys.proc.pid)  # serve_nodump.py: no core file, no same-user reads
    server = served(tmp_path, keys)
    await server.start()
    try:
        async with client(server) as http:
            alice, bob, conv = await two_in_a_conversation(http)
            assert (await login(http, "alice")).status_code == 200
            assert (await http.post("/api/v1/auth/login", json={"username": "alice", "password": "wrong " * 3}
                                    )).status_code == 401
            secret = await enrol_totp(http, alice)
            await signs_in_with_totp(http, "alice", secret)

            data = os.urandom(200_000)
            att = await upload(http, conv, alice, data, filename="f.bin")
            r = await http.get(f"/api/v1/attachments/{att['id']}", headers=alice.headers)
            assert r.status_code == 200 and r.content == data
            r = await http.get(f"/api/v1/attachments/{att['id']}", headers={**alice.headers, "Range": "bytes=70000-70009"})
            assert r.status_code == 206 and r.content == data[70000:70010]
            raw = stored_blob(server, att["id"]).read_bytes()
            assert raw[:len(MAGIC)] == MAGIC and raw[len(MAGIC)] == 3 and data[:64] not in raw  # an envelope
    finally:
        server.stop()
    # The server's side holds no key: not in its config, no pepper in its data_dir; the key process's has one.
    cfg = load(server.config_path, environ={})
    assert not (cfg.auth.pepper or cfg.auth.second_factor_key or cfg.media.encryption_key)
    assert not (server.data_dir / "pepper").exists() and (keys.data_dir / "pepper").exists()


async def test_a_server_does_not_start_without_its_key_process(tmp_path, keys):
    keys.stop()
    server = served(tmp_path, keys)
    with pytest.raises(RuntimeError, match=r"keys.socket: the key process at .* does not answer"):
        await server.start()
    server.stop()


async def test_the_key_process_away_is_a_503_that_changes_nothing_and_the_server_recovers(tmp_path, keys):
    server = served(tmp_path, keys)
    await server.start()
    try:
        async with client(server) as http:
            alice, bob, conv = await two_in_a_conversation(http)
            data = os.urandom(100_000)
            att = await upload(http, conv, alice, data)
            keys.stop()

            for r in (await login(http, "alice"),
                      await http.post("/api/v1/auth/register", json={"username": "carol", "password": PASSWORD}),
                      await http.post(f"/api/v1/conversations/{conv}/attachments", headers=alice.headers,
                                      files={"file": ("g.bin", b"x" * 1000, "application/octet-stream")}),
                      await http.get(f"/api/v1/attachments/{att['id']}", headers=alice.headers),
                      await http.post("/api/v1/me/second-factor/totp", headers=alice.headers)):
                assert r.status_code == 503, (r.request.url, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
                assert r.json()["code"] == "keys_unavailable", r.text
            r = await http.get("/readyz")
            assert r.status_code == 503 and r.json()["failed"] == {"keys": "KeysUnavailable"}, r.text

            keys.start()
            assert (await login(http, "alice")).status_code == 200  # back, without a restart of chatd
            assert (await http.get("/readyz")).status_code == 200
            r = await http.get(f"/api/v1/attachments/{att['id']}", headers=alice.headers)
            assert r.content == data
            # Nothing was made while it was away: no carol, the one attachment only.
            assert (await login(http, "carol")).status_code == 401
            assert len(list((server.data_dir / "media").rglob("*.sealed"))) == 1
            assert (await http.post("/api/v1/me/second-factor/totp", headers=alice.headers)).status_code == 201
    finally:
        server.stop()


async def test_data_sealed_in_process_still_opens_then_moves_and_rotates(tmp_path):
    """The migration path: a server that held its keys itself (TOTP secrets
    sealed, a blob in the version-2 format of before envelopes, its pepper
    in data_dir) moves them to a key process; everything opens; `chatd media
    reseal` and `chatd reseal` run after a rotation in the key process."""
    factor, media = keygen(), keygen()
    server = ServerProcess(tmp_path / "served", config={**BENCH_CONFIG, "auth": {"second_factor_key": factor},
                                                       "media": {"encryption_key": media}})
    server.env = {**{k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}, **ENV}
    await server.start()
    try:
        async with client(server) as http:
            alice, bob, conv = await two_in_a_conversation(http)
            secret = await enrol_totp(http, alice)
            data = os.urandom(150_000)
            att = await upload(http, conv, alice, data)
    finally:
        server.stop()
    blob = stored_blob(server, att["id"])
    blob.write_bytes(legacy_sealed(data, base64.b64decode(media), version=2))  # as chatd wrote it before envelopes

    # The move: the keys and the pepper file go to the key process; the server keeps only the socket.
    keys = KeyProcess(tmp_path / "keys", auth={"second_factor_key": factor}, media={"encryption_key": media})
    keys.data_dir.mkdir(parents=True)
    shutil.move(server.data_dir / "pepper", keys.data_dir / "pepper")
    keys.start()
    try:
        server.sections.pop("auth"), server.sections.pop("media")
        server.sections["keys"] = {"socket": keys.socket}
        await server.start()
        async with client(server) as http:
            assert (await login(http, "bob")).status_code == 200  # the pepper, from the key process
            used = await signs_in_with_totp(http, "alice", secret)  # sealed in process, opened by the key process
            r = await http.get(f"/api/v1/attachments/{att['id']}", headers=alice.headers)
            assert r.status_code == 200 and r.content == data  # version 2: chunk by chunk through the socket
            fresh = os.urandom(140_000)  # an envelope under the key process's key, before the rotation
            new_att = await upload(http, conv, alice, fresh)
            envelope = stored_blob(server, new_att["id"]).read_bytes()

            # Rotation in the key process; the server picks it up when it reconnects.
            new_factor, new_media = keygen(), keygen()
            keys.stop()
            keys.sections["auth"] = {"second_factor_key": new_factor, "second_factor_previous_keys": factor}
            keys.sections["media"] = {"encryption_key": new_media, "previous_encryption_keys": media}
            keys.start()
            chatd = [sys.executable, "-m", "chatd"]
            for command in (["media", "reseal", "--config", str(server.config_path)],
                            ["reseal", "--config", str(server.config_path)]):
                done = subprocess.run(chatd + command, capture_output=True, text=True, env=server.env, timeout=60)
                assert done.returncode == 0, done.stdout + done.stderr
            raw = blob.read_bytes()
            assert raw[len(MAGIC)] == 3  # moved to an envelope
            rewrapped = stored_blob(server, new_att["id"]).read_bytes()
            assert rewrapped[HEADER:] == envelope[HEADER:] and rewrapped[:HEADER] != envelope[:HEADER]  # re-wrapped only

            keys.stop()  # the old keys gone for good
            keys.sections["auth"] = {"second_factor_key": new_factor}
            keys.sections["media"] = {"encryption_key": new_media}
            keys.start()
            for attachment, content in ((att, data), (new_att, fresh)):
                r = await http.get(f"/api/v1/attachments/{attachment['id']}", headers=alice.headers)
                assert r.status_code == 200 and r.content == content
            await signs_in_with_totp(http, "alice", secret, after=used)  # resealed with the new key
            # A second reseal re-wraps nothing more, copies nothing.
            done = subprocess.run(chatd + ["media", "reseal", "--config", str(server.config_path)],
                                  capture_output=True, text=True, env=server.env, timeout=60)
            assert done.returncode == 0 and "0 blob(s) sealed again" in done.stdout, done.stdout + done.stderr
            assert blob.read_bytes()[:HEADER] == raw[:HEADER]
    finally:
        server.stop()
        keys.close()


async def test_a_server_with_the_socket_and_a_key_of_its_own_is_refused(tmp_path, keys):
    from chatd.runtime import start_runtime

    base = {"server": {"data_dir": str(tmp_path)}, "storage": {"database": f"sqlite:///{tmp_path}/chatd.db"},
            "keys": {"socket": keys.socket}}
    for section, key in (("auth", "pepper"), ("auth", "second_factor_key"), ("media", "encryption_key")):
        cfg = _config({**base, section: {key: keygen()}})
        with pytest.raises(ConfigError, match=f"keys.socket is set.*{section}.{key}"):
            await start_runtime(cfg)
    (tmp_path / "pepper").write_text(keygen())
    with pytest.raises(ConfigError, match="holds a pepper"):
        await start_runtime(_config(base))
    done = subprocess.run([sys.executable, "-m", "chatd", "check-config"], capture_output=True, text=True,
                          env={**os.environ, "CHATD_KEYS__SOCKET": keys.socket, "CHATD_MEDIA__ENCRYPTION_KEY": keygen(),
                               "CHATD_SERVER__DATA_DIR": str(tmp_path / "elsewhere")}, timeout=60)
    assert done.returncode == 2 and "media.encryption_key" in done.stderr, done.stderr


def _config(raw):
    return parse(raw, {})


_opened: list[str] | None = None  # what the audit hook records, while a test watches


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


@contextmanager
def files_opened() -> Iterator[list[str]]:
    """Every file this process opens meanwhile (Python's audit hook: one per
    process and never removed, so it records only inside this block)."""
    global _opened
    if not getattr(sys, "_chatd_audit", False):
        sys.addaudithook(_audit)
        sys._chatd_audit = True
    _opened = seen = []
    try:
        yield seen
    finally:
        _opened = None


async def test_the_server_reads_no_key_file(tmp_path, keys):
    """In this process: a served runtime with keys.socket never opens the key
    process's files, and a config naming a key file beside keys.socket is
    refused before that file is opened."""
    from chatd.runtime import start_runtime

    base = {"server": {"data_dir": str(tmp_path / "served")},
            "storage": {"database": f"sqlite:///{tmp_path}/chatd.db", "media": f"file:///{tmp_path}/media"},
            "keys": {"socket": keys.socket}}
    with files_opened() as opened:
        runtime = await start_runtime(_config(base))
        try:
            assert runtime.stores.sealed_blobs is not None  # media sealed: the key process has a media key
            assert await runtime.services.accounts.passwords.hash(PASSWORD)
        finally:
            await runtime.close()
    assert opened, "the audit hook saw nothing"
    assert not [p for p in opened if str(keys.data_dir) in p or p.endswith("pepper")], opened

    key_file = keys.data_dir / "pepper"  # a real key file, readable by this user
    for section, key in (("auth", "pepper_file"), ("media", "encryption_key_file")):
        with files_opened() as opened, pytest.raises(ConfigError, match="so is keys.socket"):
            _config({**base, section: {key: str(key_file)}})
        assert str(key_file) not in opened
    with files_opened() as opened, pytest.raises(ConfigError, match="so is keys.socket"):
        parse({"keys": {"socket": keys.socket}}, {"CHATD_AUTH__SECOND_FACTOR_KEY_FILE": str(key_file)})
    assert str(key_file) not in opened
    # The key process itself reads them.
    assert parse({**base, "auth": {"pepper_file": str(key_file)}}, {}, holds_keys=True).auth.pepper


async def _frame(path: str, payload: bytes) -> tuple[wire.Reply | None, bool]:
    """Sends `payload` as given on a new connection: (the reply, or None when
    the connection closed first; whether it is closed after the reply)."""
    reader, writer = await asyncio.open_unix_connection(path)
    try:
        writer.write(payload)
        await writer.drain()
        try:
            reply = wire.decode_reply(await asyncio.wait_for(wire.read_frame(reader), 5))
        except asyncio.IncompleteReadError:
            return None, True
        try:
            closed = await asyncio.wait_for(reader.read(1), 0.3) == b""
        except asyncio.TimeoutError:
            closed = False
        return reply, closed
    finally:
        writer.close()


def test_the_socket_is_its_users_or_one_groups(tmp_path):
    """keys.socket_group: mode 0660 and that group (here this user's own, which the test may name)."""
    import grp

    group = grp.getgrgid(os.getgid()).gr_name
    shared = KeyProcess(tmp_path / "keys")
    shared.sections["keys"]["socket_group"] = group
    shared.start()
    try:
        info = os.stat(shared.socket)
        assert stat.S_IMODE(info.st_mode) == 0o660 and info.st_gid == os.getgid()
    finally:
        shared.close()


async def test_hostile_frames_get_an_error_and_the_key_process_keeps_serving(keys):
    mode = stat.S_IMODE(os.stat(keys.socket).st_mode)
    assert mode == 0o600, oct(mode)
    enc = msgspec.msgpack.encode
    hostile = [
        wire.frame(b"\xc1\xff garbage"),  # not msgpack
        wire.frame(enc({"type": "Pepper", "data": 12})),  # wrong type
        wire.frame(enc({"type": "Nope"})),  # no such request
        wire.frame(enc({"type": "SealSecret", "user_id": "u", "secret": "s" * 10_000})),  # over its bound
        wire.frame(enc({"type": "OpenLegacy", "version": 9, "prefix": b"", "nonce": b"", "sealed": b""})),
        wire.frame(enc([1, 2, 3])),
        wire.frame(enc({"type": "Unwrap", "wrapped": b"\x00" * 76})),  # well-formed, opens nothing: null
    ]
    for payload in hostile:
        reply, closed = await _frame(keys.socket, payload)
        assert reply is not None and not closed, payload  # an answer, and the connection still usable
        assert reply.error or reply.value is None, (payload, reply)
    reply, closed = await _frame(keys.socket, (wire.MAX_FRAME + 1).to_bytes(4, "big") + b"x" * 100)  # oversized
    assert reply is not None and "at most" in reply.error and closed
    # A frame cut short, then the connection dropped: nothing to answer.
    reader, writer = await asyncio.open_unix_connection(keys.socket)
    writer.write((1000).to_bytes(4, "big") + b"short")
    writer.close()
    # Still serving, correctly.
    reply, _ = await _frame(keys.socket, wire.frame(wire.encode(wire.Info())))
    assert reply is not None and not reply.error and reply.value["pepper_id"]
    assert keys.proc.poll() is None
    with socket.socket(socket.AF_UNIX) as s:  # and raw bytes with no frame at all
        s.connect(keys.socket)
        s.sendall(b"\xff" * 3)
    reply, _ = await _frame(keys.socket, wire.frame(wire.encode(wire.Pepper(data=b"x"))))
    assert reply is not None and len(reply.value) == 32
