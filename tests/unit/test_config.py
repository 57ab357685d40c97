"""Every invalid value gives one clear line naming key, value and what is allowed."""

import tomllib
from pathlib import Path

import msgspec
import pytest

from chatd.config import ConfigError, load, parse

ROOT = Path(__file__).resolve().parents[2]


def error_of(raw: dict, environ: dict | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        parse(raw, environ or {})
    message = str(info.value)
    assert "\n" not in message
    return message


def test_defaults_are_the_embedded_setup():
    cfg = parse({}, {})
    assert cfg.storage.database.startswith("sqlite:///")
    assert cfg.storage.messages == "database" and cfg.storage.cache == "memory"
    assert cfg.auth.registration == "open"


def test_shipped_file_is_valid_and_equals_defaults():
    """But one key on purpose: new installs require admins' second factor,
    while a missing key means "optional" (an upgraded server keeps its admins)."""
    shipped = parse(tomllib.loads((ROOT / "chatd.toml").read_text()), {})
    assert shipped.auth.admin_second_factor == "required"
    assert msgspec.structs.replace(shipped, auth=msgspec.structs.replace(
        shipped.auth, admin_second_factor="optional")) == parse({}, {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"server": {"port": 70000}}, "server.port = 70000: Expected `int` <= 65535"),
        ({"server": {"port": 0}}, "server.port = 0: Expected `int` >= 1"),
        ({"server": {"port": "http"}}, "server.port = 'http': Expected `int`, got `str`"),
        ({"server": {"prot": 1}}, "server.prot: unknown key; allowed keys here: host, port, public_url, data_dir"),
        ({"srever": {}}, "srever: unknown key; allowed keys here: server, storage, auth, limits, features, media, realtime, graphql"),
        ({"auth": {"registration": "maybe"}}, "auth.registration = 'maybe': expected one of \"open\", \"invite\", \"closed\""),
        ({"auth": {"session_days": 0}}, "auth.session_days = 0: Expected `int` >= 1"),
        ({"storage": {"database": "mysql://x/y"}}, "storage.database = 'mysql://x/y': expected sqlite:///path/to/file.db or postgresql://"),
        ({"storage": {"messages": "cassandra://x"}}, "storage.messages = 'cassandra://x': expected \"database\" or a mongodb://"),
        ({"storage": {"cache": "memcached://x"}}, "storage.cache = 'memcached://x': expected \"memory\" or a redis://"),
        ({"storage": {"media": "ftp://x"}}, "storage.media = 'ftp://x': expected file:///path/to/folder or s3://"),
        ({"limits": {"max_message_chars": 0}}, "limits.max_message_chars = 0: Expected `int` >= 1"),
        ({"limits": {"messages_per_minute": -5}}, "limits.messages_per_minute = -5: Expected `int` >= 1"),
        ({"features": {"search": "yes"}}, "features.search = 'yes': expected true, false, \"on\", \"off\" or a percentage"),
        ({"server": "oops"}, "server = 'oops': Expected `object`, got `str`"),
    ],
)
def test_invalid_values_are_named(raw, expected):
    assert error_of(raw).startswith(expected)


def test_environment_overrides_and_coerces():
    cfg = parse({"server": {"port": 1}}, {"CHATD_SERVER__PORT": "9000", "CHATD_FEATURES__SEARCH": "false"})
    assert cfg.server.port == 9000 and cfg.features.search is False


def test_environment_errors_are_named_too():
    assert error_of({}, {"CHATD_SERVER__PORT": "x"}).startswith("server.port = 'x'")
    assert error_of({}, {"CHATD_AUTH__NOPE": "1"}).startswith("auth.nope: unknown key")


def test_unrelated_environment_is_ignored():
    assert parse({}, {"CHATD_CONFIG": "x.toml", "CHATD_": "1", "PATH": "/bin"}) == parse({}, {})


def test_load_reports_bad_toml_and_missing_file(tmp_path):
    bad = tmp_path / "chatd.toml"
    bad.write_text("[server\nport = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(bad, {})
    with pytest.raises(ConfigError, match="no such config file"):
        load(tmp_path / "missing.toml", {})


def test_load_without_file_uses_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHATD_CONFIG", raising=False)
    assert load(None, {}) == parse({}, {})


@pytest.mark.parametrize("example", sorted((ROOT / "config").glob("*.toml")), ids=lambda p: p.name)
def test_shipped_examples_are_valid(example):
    parse(tomllib.loads(example.read_text()), {})
