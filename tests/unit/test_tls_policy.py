"""storage.require_tls and the CA files named in store URLs
(chatd/storage/tls_policy.py; ASVS 1.9.1, 9.2.2, 9.2.3): what counts as
verified TLS for each library, loopback exempt, and the one line that stops
`chatd serve` before anything connects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from chatd.config import ConfigError, parse
from chatd.storage.tls_policy import loopback, plain_reason, refuse_unverified


def config(tmp_path: Path, **storage: object):
    return parse({"server": {"data_dir": str(tmp_path)}, "storage": storage}, {})


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return path


@pytest.mark.parametrize("url", [
    "postgresql://u:PW@db.example.org/chatd",                               # asyncpg's default: prefer
    "postgresql://u:PW@db.example.org/chatd?sslmode=require",               # TLS, nothing checked
    "postgresql://u:PW@db.example.org/chatd?sslmode=verify-ca&sslrootcert=CA",  # no name check
    "postgresql://u@127.0.0.1,db.example.org/chatd?sslmode=disable",       # one host of two elsewhere
    "redis://db.example.org:6379/0",
    "rediss://db.example.org:6379/0?ssl_cert_reqs=none",
    "rediss://db.example.org:6379/0?ssl_check_hostname=false",
    "mongodb://db.example.org:27017/chatd?replicaSet=rs0",
    "mongodb://db.example.org:27017/chatd?tls=true&tlsInsecure=true",
    "mongodb://db.example.org:27017/chatd?TLS=true&tlsAllowInvalidHostnames=true",
    "mongodb+srv://cluster.example.org/chatd?tls=false",
])
def test_unverified_urls_to_another_host(url: str) -> None:
    assert plain_reason(url)[0] is not None


@pytest.mark.parametrize("url", [
    "postgresql://u:PW@db.example.org/chatd?sslmode=verify-full&sslrootcert=CA",
    "rediss://:PW@db.example.org:6379/0?ssl_ca_certs=CA",
    "rediss://db.example.org:6379/0",                                      # the system's CAs
    "mongodb://db.example.org:27017/chatd?replicaSet=rs0&tls=true&tlsCAFile=CA",
    "mongodb://db.example.org:27017/chatd?ssl=true",
    "mongodb+srv://cluster.example.org/chatd",                             # +srv means tls=true
    "postgresql://u@127.0.0.1:5432/chatd",                                 # loopback is exempt
    "postgresql://u@localhost/chatd?host=/run/postgresql",
    "redis://[::1]:6379/0",
    "mongodb://127.0.0.1:27017,localhost:27018/chatd",
])
def test_verified_or_local_urls(url: str) -> None:
    assert plain_reason(url)[0] is None


def test_pgsslmode_counts_as_asyncpg_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://u@db.example.org/chatd"
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    assert plain_reason(url)[0] is None
    assert plain_reason(url + "?sslmode=prefer")[0] == "sslmode=prefer"  # the URL wins, as in asyncpg


def test_loopback() -> None:
    assert all(loopback(h) for h in ("127.0.0.1", "127.8.9.1", "::1", "localhost", "", "/run/postgresql"))
    assert not any(loopback(h) for h in ("10.0.0.5", "db.example.org", "::ffff:10.0.0.1", "localhost.example.org"))


def test_require_tls_refuses_each_plain_store_with_one_line(tmp_path: Path) -> None:
    stores = {"database": "postgresql://chatd:SECRET@db.example.org/chatd", "require_tls": True}
    with pytest.raises(ConfigError) as refused:
        refuse_unverified(config(tmp_path, **stores))
    line = str(refused.value)
    assert line.startswith("storage.require_tls: storage.database = postgresql://chatd:***@db.example.org/chatd "
                           "would connect without verified TLS (sslmode=prefer); add ?sslmode=verify-full"), line
    assert "SECRET" not in line and "\n" not in line
    for key, url, why in [("cache", "redis://db.example.org:6379/0", "redis:// is plain text"),
                          ("messages", "mongodb://db.example.org/chatd", "no tls=true")]:
        with pytest.raises(ConfigError, match=f"storage.{key} = .*{why}"):
            refuse_unverified(config(tmp_path, **{key: url, "require_tls": True}))


def test_require_tls_off_allows_plain_and_the_default_is_off(tmp_path: Path) -> None:
    cfg = config(tmp_path, database="postgresql://u@db.example.org/chatd", cache="redis://db.example.org/0")
    assert cfg.storage.require_tls is False
    refuse_unverified(cfg)


def test_require_tls_covers_s3_without_tls_and_migrate_data_targets(tmp_path: Path, ca: Path) -> None:
    cfg = parse({"server": {"data_dir": str(tmp_path)}, "storage": {"require_tls": True,
                 "media": "s3://K:S@s3.example.org:9000/chatd-media"}, "media": {"s3_tls": False}}, {})
    with pytest.raises(ConfigError, match="media.s3_tls = false is plain http"):
        refuse_unverified(cfg)
    fine = config(tmp_path, require_tls=True)
    with pytest.raises(ConfigError, match=re.escape("--to = postgresql://u:***@db.example.org/x would connect")):
        refuse_unverified(fine, [("--to", "postgresql://u@db.example.org/x")])
    refuse_unverified(fine, [("--to", f"postgresql://u@db.example.org/x?sslmode=verify-full&sslrootcert={ca}"),
                             ("--to", "sqlite:///./data/chatd.db")])


def test_a_ca_file_that_is_not_there_is_refused_before_connecting(tmp_path: Path, ca: Path) -> None:
    for key, url in [("database", "postgresql://u@db.example.org/x?sslmode=verify-full&sslrootcert={}"),
                     ("cache", "rediss://db.example.org:6379/0?ssl_ca_certs={}"),
                     ("messages", "mongodb://db.example.org/x?tls=true&tlsCAFile={}")]:
        refuse_unverified(config(tmp_path, **{key: url.format(ca)}))
        with pytest.raises(ConfigError, match=f"storage.{key}: .*=/nowhere/ca.pem is not a readable file"):
            refuse_unverified(config(tmp_path, **{key: url.format("/nowhere/ca.pem")}))


def test_chatd_serve_and_check_config_refuse_before_connecting(tmp_path: Path) -> None:
    (tmp_path / "chatd.toml").write_text('[storage]\nrequire_tls = true\n'
                                         'cache = "redis://:SECRET@db.invalid:6379/0"\n')
    for command in ("serve", "check-config"):
        done = subprocess.run([sys.executable, "-m", "chatd", command, "--config", str(tmp_path / "chatd.toml")],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == ("chatd: config error: storage.require_tls: storage.cache = "
                                       "redis://:***@db.invalid:6379/0 would connect without verified TLS "
                                       "(redis:// is plain text); use rediss://host:6379/0?ssl_ca_certs="
                                       "/path/to/ca.pem (no ssl_cert_reqs=none, no ssl_check_hostname=false), "
                                       "or set storage.require_tls = false"), done.stderr
