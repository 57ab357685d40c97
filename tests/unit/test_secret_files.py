"""Secret config values from files (ASVS 2.10.3): `<key>_file` in
chatd.toml, CHATD_..._FILE in the environment, systemd credentials; a
world-readable file is refused, and a secret is never echoed in an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatd.config import ConfigError, parse
from chatd.secret_files import SECRET_KEYS

URL = "postgresql://chatd:secret@db/chatd"


def secret(tmp_path: Path, name: str, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(mode)
    return path


def test_every_secret_key_can_come_from_a_file_in_chatd_toml(tmp_path):
    values = {"database": URL, "messages": "mongodb://u:pw@m:27017/chatd", "cache": "redis://:pw@r:6379/0",
              "media": "s3://key:secret@s3:9000/bucket", "encryption_key": "a2V5", "pepper": "cGVwcGVy",
              "second_factor_key": "c2Vjb25k", "second_factor_previous_keys": "b2xkMQ==\nb2xkMg==",
              "previous_encryption_keys": "bTE=,bTI="}
    raw: dict = {}
    for section, keys in SECRET_KEYS.items():
        for key in keys:
            raw.setdefault(section, {})[f"{key}_file"] = str(secret(tmp_path, key, values[key] + "\n"))
    cfg = parse(raw, {})
    assert cfg.storage.database == URL and cfg.storage.media == values["media"]
    assert cfg.storage.messages == values["messages"] and cfg.storage.cache == values["cache"]
    assert cfg.media.encryption_key == "a2V5" and cfg.auth.pepper == "cGVwcGVy"
    assert cfg.auth.second_factor_key == "c2Vjb25k"
    assert cfg.auth.second_factor_previous_keys == ["b2xkMQ==", "b2xkMg=="]  # one key a line
    assert cfg.media.previous_encryption_keys == ["bTE=", "bTI="]  # or separated by commas


def test_environment_file_and_credentials_directory(tmp_path):
    path = secret(tmp_path, "db", URL)
    assert parse({}, {"CHATD_STORAGE__DATABASE_FILE": str(path)}).storage.database == URL
    creds = tmp_path / "creds"
    creds.mkdir()
    secret(creds, "storage.database", URL + "\n", 0o400)
    assert parse({}, {"CREDENTIALS_DIRECTORY": str(creds)}).storage.database == URL
    # Later sources win: chatd.toml, then credentials, then the environment.
    other = "postgresql://chatd:pw@elsewhere/chatd"
    assert parse({"storage": {"database": other}}, {"CREDENTIALS_DIRECTORY": str(creds)}).storage.database == URL
    env = {"CREDENTIALS_DIRECTORY": str(creds), "CHATD_STORAGE__DATABASE": other}
    assert parse({}, env).storage.database == other


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o666])
def test_a_world_readable_secret_file_is_refused(tmp_path, mode):
    path = secret(tmp_path, "db", URL, mode)
    for raw, env in (({"storage": {"database_file": str(path)}}, {}), ({}, {"CHATD_STORAGE__DATABASE_FILE": str(path)})):
        with pytest.raises(ConfigError, match=f"readable by every user.*mode {mode:04o}.*chmod o-rwx") as info:
            parse(raw, env)
        assert "secret@" not in str(info.value) and "\n" not in str(info.value)


def test_group_readable_is_allowed(tmp_path):
    # A group the chatd user shares with root (e.g. `root:chatd 0640`) is the usual way to hand it over.
    path = secret(tmp_path, "db", URL, 0o640)
    assert parse({"storage": {"database_file": str(path)}}, {}).storage.database == URL


def test_missing_empty_or_doubled_are_named(tmp_path):
    with pytest.raises(ConfigError, match=r"storage.database_file = '/nope/db': /nope/db: no such file"):
        parse({"storage": {"database_file": "/nope/db"}}, {})
    with pytest.raises(ConfigError, match="is empty"):
        parse({"storage": {"database_file": str(secret(tmp_path, "e", "\n"))}}, {})
    with pytest.raises(ConfigError, match="storage.database and storage.database_file are both set in the config file"):
        parse({"storage": {"database": URL, "database_file": str(secret(tmp_path, "db", URL))}}, {})


def test_only_secret_keys_have_a_file_form(tmp_path):
    with pytest.raises(ConfigError, match="server.host_file: unknown key"):
        parse({"server": {"host_file": str(secret(tmp_path, "h", "0.0.0.0"))}}, {})


def test_a_bad_value_from_a_file_is_named_without_its_secret(tmp_path):
    path = secret(tmp_path, "db", "mysql://chatd:secret@db/chatd")
    with pytest.raises(ConfigError) as info:
        parse({}, {"CHATD_STORAGE__DATABASE_FILE": str(path)})
    message = str(info.value)
    assert message.startswith("storage.database = 'mysql://chatd:***@db/chatd': expected sqlite:///")
    assert "CHATD_STORAGE__DATABASE_FILE" in message and "secret@" not in message
