"""chatd runs unprivileged (ASVS 1.2.1, 1.14.5): the Containerfile makes a
user of its own that may write only /data; a real `chatd serve` warns when
it runs as root; and a missing pepper stops it with one line (ASVS 2.4.5).
There is no container engine on the test machines: the Containerfile is
checked as text."""

from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from chatd.bench.server import BENCH_ENV, ServerProcess
from chatd.commands.serve_privileges import warn_if_root

ROOT = Path(__file__).resolve().parents[2]
WARNING = "running as root: chatd needs no privileges"


def final_stage(text: str) -> list[str]:
    lines = [line.strip() for line in text.replace("\\\n", " ").splitlines() if line.strip() and not line.startswith("#")]
    last_from = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    return lines[last_from:]


def test_the_container_runs_as_its_own_user_who_may_write_only_data():
    stage = final_stage((ROOT / "Containerfile").read_text())
    users = [line.split(None, 1)[1] for line in stage if line.upper().startswith("USER ")]
    assert users, "no USER line: the container would run as root"
    user, _, group = users[-1].partition(":")
    assert user not in ("root", "0", "") and group not in ("root", "0")
    setup = " ".join(line for line in stage if line.upper().startswith("RUN ") and "useradd" in line)
    assert re.search(rf"useradd\b.*--uid {user}\b", setup), setup
    assert re.search(r"chown chatd:chatd /data\b", setup) and "chmod 0700 /data" in setup
    chowns = re.findall(r"chown\s+\S+\s+(\S+)", " ".join(stage))
    assert chowns == ["/data"], chowns  # the code and the config stay root's
    assert not any("--chown" in line for line in stage if line.upper().startswith(("COPY", "ADD")))
    assert any(line.startswith("ENV ") and "CHATD_SERVER__DATA_DIR=/data" in line for line in stage)
    assert stage.index(next(line for line in stage if line.upper().startswith("USER "))) > max(
        i for i, line in enumerate(stage) if line.upper().startswith("RUN "))  # nothing runs as root after it


def test_warns_as_root_only(monkeypatch, caplog):
    caplog.set_level(logging.WARNING, "chatd")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert warn_if_root() is False and not caplog.records
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert warn_if_root() is True
    assert [r.levelname for r in caplog.records] == ["WARNING"] and WARNING in caplog.text


async def test_a_served_chatd_warns_when_root_and_refuses_a_missing_pepper(tmp_path):
    # The default: no pepper configured, so the first start makes data_dir/pepper.
    server = ServerProcess(tmp_path, env={k: v for k, v in BENCH_ENV.items() if k != "CHATD_AUTH__PEPPER"})
    await server.start()
    assert server.stop() == 0, server.log_tail()
    assert (WARNING in server.log_path.read_text()) == (os.geteuid() == 0)
    pepper = tmp_path / "pepper"
    assert stat.S_IMODE(pepper.stat().st_mode) == 0o600
    pepper.unlink()  # lost with a data folder restored without it
    done = subprocess.run([sys.executable, "-m", "chatd", "serve", "--config", str(server.config_path)],
                          capture_output=True, text=True, env=server.env, timeout=60)
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("chatd: config error: auth.pepper: ") and "is missing" in last, done.stderr
    assert not pepper.exists()

