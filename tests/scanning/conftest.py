"""Apps with an upload scanner, on the media folder and on S3 (SeaweedFS)."""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from minio import Minio

from chatd.app import create_app
from chatd.config import Config
from tests.conftest import make_config

SCRIPT = Path(__file__).with_name("eicar_scanner.py")
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def scanner_command(*flags: str) -> str:
    return shlex.join([sys.executable, str(SCRIPT), *flags])


@pytest.fixture(params=["folder", "s3"])
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def scanned_app(request, store_kind: str, tmp_path: Path, sqlite_template: Path) -> Callable:
    """scanned_app(**media) -> async context of (client, config)."""
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    sections: dict = {"media": {}}
    if store_kind == "s3":
        sections = {k: dict(v) for k, v in request.getfixturevalue("s3_media_settings").items()}

    @asynccontextmanager
    async def build(**media) -> AsyncIterator[tuple[AsyncTestClient, Config]]:
        config = make_config(tmp_path, **{**sections, "media": {**sections["media"], **media}})
        async with AsyncTestClient(create_app(config)) as client:
            yield client, config

    return build


def stored_blobs(config: Config) -> list[str]:
    """Every blob in the media store (folder or bucket), by key."""
    if config.storage.media.startswith("s3://"):
        from chatd.storage.blobs.choose import parse_s3_url

        loc = parse_s3_url(config.storage.media)
        client = Minio(loc.endpoint, loc.access_key, loc.secret_key, secure=False, region="us-east-1")
        if not client.bucket_exists(loc.bucket):
            return []
        return [o.object_name for o in client.list_objects(loc.bucket, recursive=True)]
    root = config.data_dir / "media"
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()] if root.exists() else []
