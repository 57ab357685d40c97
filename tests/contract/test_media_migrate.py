"""`chatd media migrate` and `keygen`: real subprocesses against a folder and a
real S3 (SeaweedFS), plus direct calls for what a subprocess cannot stage
(an interruption half-way, a target that stores other bytes)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from chatd.config import parse
from chatd.services.media.blob_copy import CopyFailed, copy_blobs
from chatd.storage.blobs.choose import media_key
from chatd.storage.blobs.folder import FolderBlobStore
from chatd.storage.blobs.s3 import S3BlobStore
from chatd.keys.local import LocalKeyRing
from chatd.storage.blobs.sealed import SealedBlobStore
from chatd.storage.ports.blobs import BlobStore

KEY = bytes(range(32))
BLOBS = {"media/aa/empty": 0, "media/aa/one": 1, "media/ab/photo": 300_000, "thumbs/ab/photo": 5_000,
         "media/ac/video": 12 * 1024 * 1024 + 3}


def chatd(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "chatd", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=environ)


def config_file(folder: Path, media: str) -> Path:
    path = folder / f"chatd-{random.randrange(10**9)}.toml"
    path.write_text(f'[storage]\nmedia = {json.dumps(media)}\n\n[media]\ns3_tls = false\n')
    return path


async def _one(data: bytes):
    yield data


async def fill(store: BlobStore) -> dict[str, bytes]:
    blobs = {key: random.Random(key).randbytes(size) for key, size in BLOBS.items()}
    for key, blob in blobs.items():
        await store.put(key, _one(blob))
    await SealedBlobStore(store, LocalKeyRing(media_keys=[KEY])).put("media/ad/sealed", _one(b"sealed at rest"))
    return blobs


async def contents(store: BlobStore) -> dict[str, str]:
    out = {}
    async for info in store.list():
        digest = hashlib.sha256()
        async for chunk in await store.open(info.key):
            digest.update(chunk)
        out[info.key] = digest.hexdigest()
    return out


async def test_folder_to_s3_and_back(tmp_path, s3_location, s3_media_url):
    first = FolderBlobStore(tmp_path / "first")
    await fill(first)
    before = await contents(first)

    result = chatd("media", "migrate", "--to", s3_media_url, "--config",
                   str(config_file(tmp_path, f"file:///{tmp_path}/first")), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"media = \"{s3_media_url}\"" in result.stdout.splitlines()  # the admin typed it: as given
    assert "6 blob(s)" in result.stdout and "\r" not in result.stderr  # plain progress lines off a terminal
    assert "6/6 blobs" in result.stderr
    s3 = S3BlobStore(s3_location, secure=False, region="us-east-1")
    assert await contents(s3) == before
    sealed = SealedBlobStore(s3, LocalKeyRing(media_keys=[KEY]))  # still sealed, the same key opens it
    assert b"".join([c async for c in await sealed.open("media/ad/sealed")]) == b"sealed at rest"

    again = chatd("media", "migrate", "--to", s3_media_url, "--config",
                  str(config_file(tmp_path, f"file:///{tmp_path}/first")), cwd=tmp_path)
    assert again.returncode == 0 and "copied 0 blob(s)" in again.stdout and "6 already there" in again.stdout

    back = chatd("media", "migrate", "--to", f"file:///{tmp_path}/second", "--config",
                 str(config_file(tmp_path, s3_media_url)), cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert f'media = "file:///{tmp_path}/second"' in back.stdout.splitlines()
    assert await contents(FolderBlobStore(tmp_path / "second")) == before
    assert await contents(first) == before  # the source is never touched
    await s3.close()


async def test_a_secret_from_the_environment_is_not_printed(tmp_path, s3_location, s3_media_url):
    await FolderBlobStore(tmp_path / "m").put("media/aa/x", _one(b"x"))
    result = chatd("media", "migrate", "--config", str(config_file(tmp_path, f"file:///{tmp_path}/m")),
                   cwd=tmp_path, env={"CHATD_MEDIA_TO": s3_media_url})
    assert result.returncode == 0, result.stderr
    assert s3_location.secret_key not in result.stdout + result.stderr
    loc = s3_location
    assert f'media = "s3://{loc.access_key}:***@{loc.endpoint}/{loc.bucket}"' in result.stdout.splitlines()


def test_refuses_to_copy_onto_itself(tmp_path):
    config = str(config_file(tmp_path, f"file:///{tmp_path}/media"))
    for target in (f"file:///{tmp_path}/media", f"file:///{tmp_path}/media/../media/", f"file:///{tmp_path}/media/sub",
                   f"file:///{tmp_path}"):
        result = chatd("media", "migrate", "--to", target, "--config", config, cwd=tmp_path)
        assert result.returncode == 2 and "overlaps the source" in result.stderr, (target, result.stderr)


def test_refuses_the_same_bucket_under_other_credentials(tmp_path):
    config = str(config_file(tmp_path, "s3://a:b@127.0.0.1:9/bucket-one"))
    result = chatd("media", "migrate", "--to", "s3://c:d@127.0.0.1:9/bucket-one", "--config", config, cwd=tmp_path)
    assert result.returncode == 2 and "overlaps the source" in result.stderr, result.stderr


class Interrupted(Exception):
    pass


class FailsAfter:
    """A target that dies after `n` complete puts (a kill, a full disk)."""

    def __init__(self, inner: BlobStore, n: int):
        self.inner, self.left = inner, n

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def put(self, key, chunks):
        if self.left == 0:
            raise Interrupted(key)
        self.left -= 1
        return await self.inner.put(key, chunks)


@pytest.mark.parametrize("target_kind", ["folder", "s3"])
async def test_an_interrupted_copy_resumes_and_skips_what_was_done(tmp_path, request, target_kind):
    source = FolderBlobStore(tmp_path / "source")
    await fill(source)
    if target_kind == "s3":
        target = S3BlobStore(request.getfixturevalue("s3_location"), secure=False, region="us-east-1")
    else:
        target = FolderBlobStore(tmp_path / "target")
    with pytest.raises(Interrupted):
        await copy_blobs(source, FailsAfter(target, 3))
    assert len(await contents(target)) == 3
    report = await copy_blobs(source, target)
    assert (report.skipped, report.copied) == (3, 3)
    assert await contents(target) == await contents(source)
    await target.close()


class Rotten(FolderBlobStore):
    """A target that silently stores other bytes than it was given."""

    async def put(self, key, chunks):
        async def flipped():
            async for chunk in chunks:
                yield bytes([chunk[0] ^ 1]) + chunk[1:] if chunk else chunk
        return await super().put(key, flipped())


async def test_a_copy_that_reads_back_differently_fails(tmp_path):
    source = FolderBlobStore(tmp_path / "source")
    await source.put("media/aa/x", _one(b"the bytes"))
    with pytest.raises(CopyFailed):
        await copy_blobs(source, Rotten(tmp_path / "target"))


async def test_a_changed_target_copy_is_copied_again(tmp_path):
    source, target = FolderBlobStore(tmp_path / "source"), FolderBlobStore(tmp_path / "target")
    await source.put("media/aa/x", _one(b"the right bytes"))
    await target.put("media/aa/x", _one(b"the wrong bytes"))  # same size, other hash
    report = await copy_blobs(source, target)
    assert (report.copied, report.skipped) == (1, 0)
    assert await contents(target) == await contents(source)


def test_keygen_prints_a_fresh_key_the_config_accepts(tmp_path):
    keys = [chatd("media", "keygen", cwd=tmp_path).stdout.strip() for _ in range(2)]
    assert keys[0] != keys[1]
    for key in keys:
        assert len(base64.b64decode(key, validate=True)) == 32
        assert media_key(parse({"media": {"encryption_key": key}}, {})) == base64.b64decode(key)


@pytest.mark.parametrize("sub", [["media"], ["media", "migrate"], ["media", "keygen"], ["media", "gc"], ["media", "stats"]])
def test_every_media_action_has_help(tmp_path, sub):
    result = chatd(*sub, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "usage: chatd media" in result.stdout, result.stderr


def test_migrate_without_a_target_says_how(tmp_path):
    result = chatd("media", "migrate", "--config", str(config_file(tmp_path, f"file:///{tmp_path}/m")), cwd=tmp_path)
    assert result.returncode == 2 and "--to URL" in result.stderr
