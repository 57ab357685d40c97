"""End-to-end encryption between Python clients, against a real server:
what members read, what others cannot, tampering, key changes, restore
from the passphrase, encrypted files; then the server's database, media
folder and log are searched for the plaintext and hold none of it."""

from __future__ import annotations

import asyncio
import base64
import os
import stat

import pytest

from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.client.e2ee import E2ee, WrongPassphrase
from chatd.client.e2ee.envelope import seal
from chatd.client.errors import ChatdError
from tests.client.e2ee_helpers import person

SECRET = "the tulips bloom at midnight"  # searched for in everything the server keeps


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("e2ee"), env=BENCH_ENV,
                         config={"limits": {"messages_per_minute": 10_000}})
    asyncio.run(proc.start())
    yield proc
    proc.stop()


async def texts(reader: E2ee, conversation_id: str) -> list[str]:
    page = await reader.client.messages(conversation_id, limit=200)
    return [(await reader.read(m)).shown() for m in page.items]


async def test_two_people_read_each_other_and_the_server_gets_ciphertext(server, tmp_path):
    alice, bob = await person(server.url, tmp_path, "alice"), await person(server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    assert chat.e2ee
    sent = await alice.phone.send(chat.id, f"{SECRET} (alice)")
    assert sent.kind == "encrypted" and sent.body is None and SECRET not in sent.envelope.ciphertext
    assert set(sent.envelope.keys) == {alice.phone.address, bob.phone.address}
    await bob.phone.send(chat.id, "héllo back ✓")
    assert await texts(bob.phone, chat.id) == [f"{SECRET} (alice)", "héllo back ✓"]
    # Search runs on the device, over what it decrypted.
    assert [r.text for _, r in await bob.phone.search(chat.id, "TULIPS midnight")] == [f"{SECRET} (alice)"]
    assert [r.text for _, r in await bob.phone.search(chat.id, "HÉLLO")] == ["héllo back ✓"]
    assert await bob.phone.search(chat.id, "tulips nowhere") == []
    assert await texts(alice.phone, chat.id) == [f"{SECRET} (alice)", "héllo back ✓"]
    # The server refuses plaintext here, and its search finds nothing.
    with pytest.raises(Exception) as err:
        await alice.phone.client.send(chat.id, SECRET)
    assert getattr(err.value, "code", None) == "e2ee_required"
    assert await alice.phone.client.search("tulips") == []
    # The key file is the owner's alone.
    mode = stat.S_IMODE(os.stat(alice.phone.keys.path).st_mode)
    assert mode == 0o600, oct(mode)
    await alice.close(), await bob.close()


async def test_a_group_of_three_with_two_devices_each(server, tmp_path):
    people = [await person(server.url, tmp_path, n, devices=2) for n in ("ann", "ben", "cid")]
    ann = people[0]
    group = await ann.phone.client.create_group("trio", [p.id for p in people[1:]], e2ee=True)
    for i, p in enumerate(people):
        await p.devices[1].send(group.id, f"{SECRET} from {p.name}'s laptop")
    message = (await ann.phone.client.messages(group.id)).items[0]
    assert len(message.envelope.keys) == 6
    expected = [f"{SECRET} from {p.name}'s laptop" for p in people]
    for p in people:
        for device in p.devices:
            assert await texts(device, group.id) == expected
    for p in people:
        await p.close()


async def test_tampering_and_forged_signatures_are_shown_as_warnings(server, tmp_path):
    alice = await person(server.url, tmp_path, "alice")
    bob = await person(server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    good = await alice.phone.seal(chat.id, "original")
    recipients = await alice.phone.recipients(chat.id)

    # 1. A flipped ciphertext byte: the signature no longer matches.
    raw = bytearray(base64.b64decode(good["ciphertext"]))
    raw[3] ^= 1
    await alice.phone.client.send(chat.id, envelope={**good, "ciphertext": base64.b64encode(raw).decode()})
    # 2. A signature by a key that is not the sending device's.
    other = await alice.new_device()
    forged = seal(chat.id, b'{"v":1,"body":"forged","attachments":[],"sent_at":"x"}', alice.id, other.device,
                  recipients)
    await alice.phone.client.send(chat.id, envelope={**forged, "sender_device": alice.phone.address,
                                                     "keys": forged["keys"]})
    # 3. Signed properly, but the secretbox was altered before signing: the MAC fails.
    bad = seal(chat.id, b"x", alice.id, alice.phone.device, recipients)
    junk = base64.b64encode(os.urandom(40)).decode()
    resealed = {**bad, "ciphertext": junk}
    from chatd.client.e2ee.envelope import signed_text

    resealed["sig"] = base64.b64encode(alice.phone.device.sign_key.sign(signed_text(
        chat.id, bad["sender_device"], bad["nonce"], junk, bad["keys"])).signature).decode()
    await alice.phone.client.send(chat.id, envelope=resealed)
    # 4. No signature at all.
    await alice.phone.client.send(chat.id, envelope={**good, "sig": ""})
    # 5. A sender device of someone else: the server refuses to store it (readers
    # would refuse it too: tests/client/test_e2ee_vectors.py, "sender_device_of_bob").
    with pytest.raises(ChatdError) as refused:
        await alice.phone.client.send(chat.id, envelope={**good, "sender_device": bob.phone.address})
    assert (refused.value.status, refused.value.code) == (400, "unknown_sender_device")
    await alice.phone.client.send(chat.id, envelope=good)  # the real one still reads
    shown = await texts(bob.phone, chat.id)
    assert shown == [
        "could not be decrypted: bad signature",
        "could not be decrypted: bad signature",
        "could not be decrypted: the ciphertext was altered (failed MAC)",
        "could not be decrypted: bad signature",
        "original",
    ]
    assert not any("forged" in s for s in shown)
    await alice.close(), await bob.close()


async def test_a_contacts_new_keys_raise_a_warning_until_verified(server, tmp_path):
    alice = await person(server.url, tmp_path, "alice")
    bob = await person(server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    await alice.phone.send(chat.id, "first")
    number = await alice.phone.safety_number(bob.id)
    assert number == await bob.phone.safety_number(alice.id)
    assert len(number.split()) == 12 and all(len(g) == 5 and g.isdigit() for g in number.split())
    await alice.phone.verify(bob.id)
    assert alice.phone.warnings == []
    await bob.new_device()  # bob's keys change
    await alice.phone.send(chat.id, "second")
    assert len(alice.phone.warnings) == 1 and "Bob's keys changed" in alice.phone.warnings[0]
    seen = alice.phone.trust.contacts[bob.id]
    assert seen.changed and not seen.verified
    assert await alice.phone.safety_number(bob.id) != number
    await alice.phone.verify(bob.id)
    assert alice.phone.trust.contacts[bob.id].verified and not alice.phone.trust.contacts[bob.id].changed
    await alice.phone.send(chat.id, "third")
    assert len(alice.phone.warnings) == 1  # no new warning once verified
    await alice.close(), await bob.close()


async def test_restore_from_the_passphrase_on_a_fresh_device_reads_the_history(server, tmp_path):
    alice, bob = await person(server.url, tmp_path, "alice"), await person(server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    for i in range(3):
        await bob.phone.send(chat.id, f"{SECRET} #{i}")
    await alice.phone.backup("correct horse battery staple")
    stored = await alice.phone.client.call("GET", "/me/key-backup")
    assert stored["kdf"]["name"] == "argon2id" and alice.phone.device.x25519 not in str(stored)
    # A new install (fresh key folder) cannot read what was sent before it...
    fresh = await alice.new_device(tmp_path / "fresh-install")
    assert set(await texts(fresh, chat.id)) == {"could not be decrypted: no key for this device "
                                                "(sent before it could read this conversation)"}
    with pytest.raises(WrongPassphrase):
        await fresh.restore("wrong passphrase")
    # ...until it restores with the passphrase.
    assert await fresh.restore("correct horse battery staple") == 1
    assert await texts(fresh, chat.id) == [f"{SECRET} #{i}" for i in range(3)]
    # A backup under another passphrase would drop the stored keys: refused unless asked for.
    before = (await fresh.client.call("GET", "/me/key-backup"))["nonce"]
    with pytest.raises(WrongPassphrase):
        await fresh.backup("another passphrase entirely")
    assert (await fresh.client.call("GET", "/me/key-backup"))["nonce"] == before
    # The backup now also holds the new device: a third install restores both.
    third = await alice.new_device(tmp_path / "third-install")
    assert await third.restore("correct horse battery staple") == 2
    assert await texts(third, chat.id) == [f"{SECRET} #{i}" for i in range(3)]
    await alice.close(), await bob.close()


async def test_a_later_member_cannot_read_what_came_before(server, tmp_path):
    ann = await person(server.url, tmp_path, "ann")
    ben = await person(server.url, tmp_path, "ben")
    cid = await person(server.url, tmp_path, "cid")
    group = await ann.phone.client.create_group("two then three", [ben.id], e2ee=True)
    await ann.phone.send(group.id, "before cid")
    await ann.phone.client.add_members(group.id, [cid.id])
    await ann.phone.send(group.id, "after cid")
    shown = await texts(cid.phone, group.id)
    assert shown[-1] == "after cid"
    assert "before cid" not in shown
    assert any(s.startswith("could not be decrypted: no key for this device") for s in shown)
    # ben leaves: later messages carry no key for his devices.
    await ben.phone.client.remove_member(group.id, ben.id)
    later = await ann.phone.send(group.id, "without ben")
    assert ben.phone.address not in later.envelope.keys and cid.phone.address in later.envelope.keys
    for p in (ann, ben, cid):
        await p.close()


async def test_an_encrypted_file_of_several_chunks_round_trips(server, tmp_path):
    alice, bob = await person(server.url, tmp_path, "alice"), await person(server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    source = tmp_path / "holiday.txt"
    plain = (SECRET + "\n").encode() * 9000  # 261,000 bytes: 3 chunks of 64 KiB and a partial fourth
    source.write_bytes(plain)
    entry = await alice.phone.upload(chat.id, source)
    stored = await alice.phone.client.attachment(entry["id"])
    assert stored.encrypted and stored.filename == "encrypted.bin" and stored.size == len(plain) + 16 * 4
    await alice.phone.send(chat.id, "the file", attachments=[entry])
    message = (await bob.phone.client.messages(chat.id)).items[-1]
    assert message.attachments == [entry["id"]]
    opened = await bob.phone.read(message)
    assert opened.text == "the file" and opened.attachments[0]["name"] == "holiday.txt"
    target = await bob.phone.download(opened.attachments[0], tmp_path / "copy.txt")
    assert target.read_bytes() == plain
    assert await bob.phone.download(opened.attachments[0]) == plain
    # A key that is not the file's: nothing is written, a warning instead.
    from chatd.client.e2ee import Undecryptable

    wrong = {**opened.attachments[0], "key": base64.b64encode(os.urandom(32)).decode()}
    with pytest.raises(Undecryptable):
        await bob.phone.download(wrong, tmp_path / "broken.txt")
    assert not (tmp_path / "broken.txt").exists()
    await alice.close(), await bob.close()


async def test_a_pbkdf2_backup_as_browsers_write_it_restores(server, tmp_path):
    from chatd.client.e2ee.backup import make_backup
    from chatd.client.e2ee.codec import b64

    alice, bob = await person(server.url, tmp_path, "alice"), await person(server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    await bob.phone.send(chat.id, "for alice's browser")
    kdf = {"name": "pbkdf2-sha256", "iterations": 600_000, "salt": b64(os.urandom(16))}
    await alice.phone.client.call("PUT", "/me/key-backup", json=make_backup("browser passphrase", [alice.phone.device],
                                                                             kdf=kdf))
    fresh = await alice.new_device(tmp_path / "python-after-browser")
    assert await fresh.restore("browser passphrase") == 1
    assert await texts(fresh, chat.id) == ["for alice's browser"]
    # Backing up again (restore does) keeps every device, now under Argon2id.
    assert (await fresh.client.call("GET", "/me/key-backup"))["kdf"]["name"] == "argon2id"
    await alice.close(), await bob.close()


async def test_an_encrypted_image_gets_a_client_made_thumbnail(server, tmp_path):
    import io

    from PIL import Image

    alice, bob = await person(server.url, tmp_path, "alice"), await person(server.url, tmp_path, "bob")
    chat = await alice.phone.client.create_direct(bob.id, e2ee=True)
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = SECRET  # camera maker: metadata that must not reach the thumbnail
    Image.new("RGB", (1200, 800), (200, 30, 30)).save(photo, "JPEG", exif=exif)
    entry = await alice.phone.upload(chat.id, photo.getvalue(), name="red.jpg")
    assert (entry["type"], entry["width"], entry["height"]) == ("image/jpeg", 1200, 800)
    assert (entry["thumb"]["type"], entry["thumb"]["width"], entry["thumb"]["height"]) == ("image/webp", 320, 213)
    sent = await alice.phone.send(chat.id, "a red photo", attachments=[entry])
    assert sent.attachments == [entry["id"], entry["thumb"]["id"]]
    for a in await bob.phone.client.attachments(chat.id, ids=sent.attachments):
        assert a.encrypted and a.content_type == "application/octet-stream" and not a.thumbnail
    opened = await bob.phone.read((await bob.phone.client.messages(chat.id)).items[-1])
    got = opened.attachments[0]
    assert await bob.phone.download(got) == photo.getvalue()
    small = await bob.phone.thumbnail(got)
    with Image.open(io.BytesIO(small)) as image:
        assert image.format == "WEBP" and image.size == (320, 213)
        assert SECRET.encode() not in small and not image.getexif()
    # Not an image after all: no thumbnail, still sent.
    odd = await alice.phone.upload(chat.id, b"not really a jpeg", name="fake.jpg")
    assert "thumb" not in odd and odd["type"] == "image/jpeg"
    assert await bob.phone.thumbnail(odd) is None
    await alice.close(), await bob.close()


def test_zz_the_server_kept_no_plaintext(server):
    """Runs last in this module: everything above sent SECRET only encrypted."""
    server.stop()
    needle = SECRET.encode()
    found = []
    for path in server.data_dir.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            found.append(str(path))
    assert found == [], found
    assert (server.data_dir / "chatd.db").exists() and (server.data_dir / "media").is_dir()
    assert any((server.data_dir / "media").rglob("*")), "the file test stored no media?"
