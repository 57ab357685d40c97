"""The `chatd` command as an admin uses it: real subprocesses."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chatd.commands.check_config import _redact
from chatd.storage.sql.schema_version import shipped_ids


def chatd(*args: str, cwd: Path, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "chatd", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60, env=environ
    )


@pytest.mark.parametrize("sub", [[], ["serve"], ["init"], ["migrate"], ["check-config"], ["schema"], ["user"],
                                 ["user", "create"], ["user", "set-role"], ["bench"], ["flags"], ["flags", "set"],
                                 ["sbom"]])
def test_every_command_has_help(sub, tmp_path):
    result = chatd(*sub, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage: chatd" in result.stdout


def test_init_writes_the_commented_default_and_refuses_to_overwrite(tmp_path):
    assert chatd("init", cwd=tmp_path).returncode == 0
    text = (tmp_path / "chatd.toml").read_text()
    # The shipped file, with a fresh auth.second_factor_key of its own (tests/unit/test_init_second_factor.py).
    key = re.search(r'^second_factor_key = "([^"]+)"', text, re.MULTILINE).group(1)
    template = (Path(__file__).resolve().parents[2] / "chatd.toml").read_text()
    assert text == template.replace('second_factor_key = ""', f'second_factor_key = "{key}"', 1)
    again = chatd("init", cwd=tmp_path)
    assert again.returncode == 1 and "exists" in again.stdout
    assert chatd("init", "--force", cwd=tmp_path).returncode == 0


def test_check_config_names_the_bad_key_in_one_line(tmp_path):
    (tmp_path / "chatd.toml").write_text('[limits]\nmax_message_chars = "lots"\n')
    result = chatd("check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "chatd: config error: limits.max_message_chars = 'lots': Expected `int`, got `str`"
    ]


def test_check_config_reads_environment_and_hides_passwords(tmp_path):
    result = chatd("check-config", cwd=tmp_path, env={"CHATD_STORAGE__DATABASE": "postgresql://u:secret@db/chatd"})
    assert result.returncode == 0, result.stderr
    assert "postgresql://u:***@db/chatd" in result.stdout and "secret" not in result.stdout


def test_check_config_says_where_the_pepper_is_and_refuses_a_bad_one(tmp_path):
    result = chatd("check-config", cwd=tmp_path)
    assert result.returncode == 0 and "pepper       data/pepper (made on the first start)" in result.stdout
    assert not (tmp_path / "data" / "pepper").exists()  # checking makes nothing
    result = chatd("check-config", cwd=tmp_path, env={"CHATD_AUTH__PEPPER": "c2hvcnQ="})
    assert result.returncode == 2 and "auth.pepper: 5 bytes; a pepper is at least 32" in result.stderr


def test_redact_leaves_urls_without_password_alone():
    assert _redact("sqlite:///./data/chatd.db") == "sqlite:///./data/chatd.db"
    assert _redact("redis://h:6379/0") == "redis://h:6379/0"


def test_serve_with_an_unreachable_redis_says_so_in_one_line(tmp_path):
    (tmp_path / "chatd.toml").write_text('[storage]\ncache = "redis://:secret@db.invalid:6379/0"\n')
    result = chatd("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot start: Redis at redis://:***@db.invalid:6379/0 does not answer" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("how", [["--workers", "2"], []])
def test_several_workers_on_a_memory_cache_are_refused(tmp_path, how):
    (tmp_path / "chatd.toml").write_text("" if how else "[server]\nworkers = 3\n")
    result = chatd("serve", *how, cwd=tmp_path)
    assert result.returncode == 2
    assert "workers need a shared cache" in result.stderr and 'storage.cache = \\"redis://' not in result.stderr
    assert 'Set storage.cache = "redis://HOST:6379/0"' in result.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was made


def test_missing_config_file_is_an_error(tmp_path):
    result = chatd("migrate", "--config", "nope.toml", cwd=tmp_path)
    assert result.returncode == 2 and "no such config file" in result.stderr


def test_migrate_twice_then_users_from_the_shell(tmp_path):
    first = chatd("migrate", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"applied {len(shipped_ids())} migration" in first.stdout
    second = chatd("migrate", cwd=tmp_path)
    assert "applied" not in second.stdout and "up to date" in second.stdout

    created = chatd("user", "create", "Root", "--role", "admin", "--password-stdin", cwd=tmp_path, stdin="a long password\n")
    assert created.returncode == 0, created.stderr
    assert "root (admin)" in created.stdout
    dup = chatd("user", "create", "root", "--password-stdin", cwd=tmp_path, stdin="a long password\n")
    assert dup.returncode == 1 and dup.stderr.startswith("chatd: ")
    short = chatd("user", "create", "bob", "--password-stdin", cwd=tmp_path, stdin="x\n")
    assert short.returncode == 1

    last_admin = chatd("user", "disable", "root", cwd=tmp_path)
    assert last_admin.returncode == 1 and "last admin" in last_admin.stderr
    assert chatd("user", "create", "bob", "--password-stdin", cwd=tmp_path, stdin="another password\n").returncode == 0
    assert chatd("user", "disable", "bob", cwd=tmp_path).stdout.strip() == "bob: disabled"
    assert chatd("user", "set-role", "bob", "guest", cwd=tmp_path).stdout.strip() == "bob: role guest"
    listing = chatd("user", "list", cwd=tmp_path).stdout.splitlines()
    assert any("bob" in line and "guest" in line and "disabled" in line for line in listing)
    assert any("root" in line and "admin" in line and "active" in line for line in listing)
    unknown = chatd("user", "enable", "nobody", cwd=tmp_path)
    assert unknown.returncode == 1 and unknown.stderr.startswith("chatd: ")


def test_schema_exports_every_entity(tmp_path):
    result = chatd("schema", cwd=tmp_path)
    defs = json.loads(result.stdout)["$defs"]
    for name in ["User", "PublicUser", "Conversation", "Member", "Message", "Contact", "Attachment", "Event"]:
        assert name in defs
    assert "password_hash" not in json.dumps(defs)
    assert set(defs["Message"]["required"]) >= {"id", "conversation_id", "sender_id", "seq", "client_id", "created_at"}
    out = chatd("schema", "--out", "schemas", cwd=tmp_path)
    assert out.returncode == 0
    single = json.loads((tmp_path / "schemas" / "Message.schema.json").read_text())
    assert single["$ref"] == "#/$defs/Message"


def test_a_missing_file_named_by_chatd_config_is_an_error(tmp_path):
    result = chatd("check-config", cwd=tmp_path, env={"CHATD_CONFIG": str(tmp_path / "typo.toml")})
    assert result.returncode == 2 and "no such config file" in result.stderr


def test_check_config_refuses_what_serve_would_refuse(tmp_path):
    (tmp_path / "chatd.toml").write_text("[server]\nworkers = 2\n")
    result = chatd("check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "workers need a shared cache" in result.stderr and "config OK" not in result.stdout
    (tmp_path / "chatd.toml").write_text('[server]\nworkers = 2\n[storage]\ncache = "redis://127.0.0.1:6379/0"\n')
    result = chatd("check-config", cwd=tmp_path)
    assert result.returncode == 0 and "workers      2" in result.stdout


def test_a_newer_schema_is_refused_in_one_line(tmp_path):
    import sqlite3

    assert chatd("migrate", cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "data" / "chatd.db") as db:
        db.execute("INSERT INTO migration (name, app_name, ran_on) VALUES ('2099-01-01T00:00:00:000000', 'chatd', '2099-01-01')")
    for command in (["migrate"], ["user", "list"], ["serve"]):
        result = chatd(*command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.strip().splitlines()[-1].startswith("chatd: the database schema has migrations"), command
        assert "Traceback" not in result.stderr
