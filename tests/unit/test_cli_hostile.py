"""The command line when used carelessly: no terminal, a closed pipe, a bad
environment override. One clear line and a status, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.unit.test_cli import chatd


def test_user_create_without_a_terminal_or_password_stdin_is_one_line_and_2(tmp_path):
    # stdin is a pipe (not a terminal) and empty.
    result = chatd("user", "create", "alice", cwd=tmp_path)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "--password-stdin" in result.stderr


def test_schema_into_a_closed_pipe_ends_quietly(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}
    # `true` has exited long before chatd writes: like `| head` once it has its lines.
    proc = subprocess.run(f"{sys.executable} -m chatd schema | true", shell=True, cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_a_bad_environment_override_names_the_variable(tmp_path):
    result = chatd("check-config", cwd=tmp_path, env={"CHATD_SERVER__PORT": "eighty"})
    assert result.returncode == 2
    assert "CHATD_SERVER__PORT" in result.stderr and "server.port" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    result = chatd("check-config", cwd=tmp_path, env={"CHATD_SERVER__PROT": "80"})
    assert result.returncode == 2 and "CHATD_SERVER__PROT" in result.stderr, result.stderr
