"""GET /api/v1/privacy (ASVS 8.3.3): chatd's default notice with this
server's own retention settings, or the operator's file, served as data
(never HTML) to anyone, signed in or not."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from litestar.testing import AsyncTestClient

from chatd.app import create_app
from chatd.config import ConfigError
from chatd.services.privacy_notice import load_notice
from tests.conftest import make_config

PRIVACY = "/api/v1/privacy"


async def test_the_default_notice_is_public_and_names_this_servers_settings(config_with):
    config = config_with(limits={"event_retention_days": 7}, media={"retention_days": 30, "unbound_hours": 2},
                         auth={"session_days": 14, "session_max_days": 60})
    async with AsyncTestClient(create_app(config)) as c:
        r = await c.get(PRIVACY)  # no credentials
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["format"] == "markdown" and body["custom"] is False
    text = body["text"]
    for words in ["removed after 7 days", "deleted 30 days after they were uploaded", "after 2 hours",
                  "14 days after its last use", "60 days after", "IP address", "ciphertext",
                  "cannot scan those files", "Admins can list every account", "Argon2id"]:
        assert words in text, words


async def test_without_media_retention_files_stay_until_deleted(client):
    text = (await client.get(PRIVACY)).json()["text"]
    assert "kept until they are deleted" in text and "removed before they are stored" in text


@pytest.mark.parametrize("name, kind", [("notice.md", "markdown"), ("notice.txt", "text")])
async def test_the_operators_file_is_served_as_written(config_with, tmp_path, name, kind):
    hostile = "# Our rules\n<script>alert(1)</script> <img src=x onerror=alert(2)>\nWe keep logs 14 days.\n"
    (tmp_path / name).write_text(hostile)
    config = config_with(server={"data_dir": str(tmp_path), "privacy_notice_file": str(tmp_path / name)})
    async with AsyncTestClient(create_app(config)) as c:
        body = (await c.get(PRIVACY)).json()
    assert body == {"format": kind, "text": hostile, "custom": True}


@pytest.mark.parametrize("content, words", [(None, "cannot read it"), (b"\xff\xfe bad", "not UTF-8"),
                                            (b"x" * (65 * 1024), "larger than 64 KiB")])
def test_an_unusable_file_is_a_config_error(tmp_path, content, words):
    path = tmp_path / "notice.md"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=words):
        load_notice(make_config(tmp_path, server={"privacy_notice_file": str(path)}))


def test_serve_refuses_to_start_without_its_notice_file(tmp_path):
    conf = tmp_path / "chatd.toml"
    conf.write_text(f'[server]\ndata_dir = "{tmp_path}"\nport = 1\nprivacy_notice_file = "{tmp_path}/gone.md"\n')
    done = subprocess.run([sys.executable, "-m", "chatd", "serve", "--config", str(conf)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "CHATD_CONFIG": ""})
    assert done.returncode == 2 and "server.privacy_notice_file" in done.stderr, done
