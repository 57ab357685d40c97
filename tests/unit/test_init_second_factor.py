"""What `chatd init` writes for two-step sign-in, what a missing key means,
and the local CLI staying usable when admins must have a second factor."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from chatd.config import AuthConfig, load
from tests.unit.test_cli import chatd


def test_init_requires_admin_second_factor_and_writes_a_fresh_key(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    assert chatd("init", cwd=first).returncode == 0 and chatd("init", cwd=second).returncode == 0
    config = load(first / "chatd.toml")
    assert config.auth.admin_second_factor == "required"
    assert len(base64.b64decode(config.auth.second_factor_key)) == 32
    keys = {re.search(r'second_factor_key = "([^"]+)"', (d / "chatd.toml").read_text()).group(1) for d in (first, second)}
    assert len(keys) == 2  # each install its own


def test_a_missing_key_means_optional_so_upgraded_servers_keep_their_admins():
    assert AuthConfig().admin_second_factor == "optional"
    assert AuthConfig().second_factor_key == ""


def test_a_bad_key_is_refused_at_start_in_one_line(tmp_path):
    (tmp_path / "chatd.toml").write_text('[auth]\nsecond_factor_key = "too short"\n')
    result = chatd("check-config", cwd=tmp_path)
    assert result.returncode != 0 and "auth.second_factor_key" in result.stdout + result.stderr
    assert len((result.stdout + result.stderr).strip().splitlines()) == 1


def test_the_cli_manages_users_when_admins_must_have_a_second_factor(tmp_path: Path):
    assert chatd("init", cwd=tmp_path).returncode == 0
    created = chatd("user", "create", "root", "--role", "admin", "--password-stdin", cwd=tmp_path,
                    stdin="a long password here\n")
    assert created.returncode == 0, created.stderr
    assert chatd("user", "create", "bob", "--password-stdin", cwd=tmp_path, stdin="another password\n").returncode == 0
    assert chatd("user", "set-role", "bob", "admin", cwd=tmp_path).stdout.strip() == "bob: role admin"
    assert chatd("user", "disable", "bob", cwd=tmp_path).stdout.strip() == "bob: disabled"
    reset = chatd("user", "reset-second-factor", "root", cwd=tmp_path)
    assert reset.returncode == 0 and reset.stdout.strip() == "root: two-step sign-in was not on"
    assert chatd("user", "reset-second-factor", "nobody", cwd=tmp_path).returncode == 1


def test_init_with_a_key_process_puts_every_key_in_its_config_only(tmp_path):
    """`chatd init --keys-socket` (ASVS 6.4.2): chatd.toml names the socket and
    holds no key; keys.toml (mode 0600) holds them; both check out."""
    import stat

    socket = str(tmp_path / "keys.sock")
    assert chatd("init", "--keys-socket", socket, cwd=tmp_path).returncode == 0
    served, keys = load(tmp_path / "chatd.toml", environ={}), load(tmp_path / "keys.toml", environ={})
    assert served.keys.socket == socket == keys.keys.socket
    assert not (served.auth.second_factor_key or served.media.encryption_key or served.auth.pepper)
    assert len(base64.b64decode(keys.auth.second_factor_key)) == 32
    assert len(base64.b64decode(keys.media.encryption_key)) == 32
    assert stat.S_IMODE((tmp_path / "keys.toml").stat().st_mode) == 0o600
    checked = chatd("check-config", cwd=tmp_path)
    assert checked.returncode == 0 and f"in the key process at {socket}" in checked.stdout, checked.stderr
    assert chatd("init", "--keys-socket", socket, cwd=tmp_path).returncode == 1  # nothing overwritten
