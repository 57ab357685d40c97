"""The Python client's attachments: upload from a path and from bytes,
progress, download to memory and to a file, errors as ChatdError."""

from __future__ import annotations

import hashlib
import os

import pytest

from chatd.client import ChatdError


async def test_upload_send_download(new_client, tmp_path) -> None:
    alice, bob = await new_client("alice"), await new_client("bob")
    chat = await alice.create_direct((await bob.me()).id)
    source = tmp_path / "clip.bin"
    source.write_bytes(os.urandom(700_000))
    seen: list[tuple[int, int]] = []
    att = await alice.upload(chat.id, source, progress=lambda done, total: seen.append((done, total)))
    assert att.filename == "clip.bin" and att.size == 700_000
    assert att.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert seen[-1] == (700_000, 700_000) and len(seen) > 1
    message = await alice.send(chat.id, "the clip", attachments=[att.id])
    assert message.attachments == [att.id]
    assert [a.id for a in await bob.attachments(chat.id)] == [att.id]
    assert (await bob.attachment(att.id)).message_id == message.id
    target = await bob.download(att.id, tmp_path / "copy.bin")
    assert target.read_bytes() == source.read_bytes()
    note = await alice.upload(chat.id, b"plain words", filename="note.txt")
    assert note.content_type == "text/plain" and await alice.download(note.id) == b"plain words"


async def test_errors_are_chatd_errors(new_client) -> None:
    alice, bob, eve = await new_client("alice"), await new_client("bob"), await new_client("eve")
    chat = await alice.create_direct((await bob.me()).id)
    with pytest.raises(ChatdError) as err:
        await eve.upload(chat.id, b"intruding")
    assert err.value.status == 404 and err.value.code == "conversation_not_found"
    att = await alice.upload(chat.id, b"mine")
    with pytest.raises(ChatdError) as err:
        await eve.download(att.id)
    assert err.value.status == 404 and err.value.code == "attachment_not_found"
