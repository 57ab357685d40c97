"""A server never loads strawberry until someone for whom the graphql flag is
on calls /api/v1/graphql (idle RSS, BENCHMARKS.md): checked in a fresh
interpreter, since this test process has loaded it long ago."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

SCRIPT = """
import json, sys
from litestar.testing import TestClient
from chatd.app import create_app
from tests.conftest import make_config
from pathlib import Path
cfg = make_config(Path(sys.argv[1]), features={"graphql": sys.argv[2]})
loaded = lambda: any(m == "strawberry" or m.startswith(("strawberry.", "graphql")) for m in sys.modules)
out = {}
with TestClient(create_app(cfg)) as c:
    t = c.post("/api/v1/auth/register", json={"username": "ann", "password": "correct horse battery"}).json()["token"]
    h = {"authorization": "Bearer " + t}
    c.get("/api/v1/conversations", headers=h)
    out["after_rest"] = loaded()
    out["status"] = c.post("/api/v1/graphql", json={"query": "{ me { username } }"}, headers=h).status_code
    out["after_graphql"] = loaded()
print(json.dumps(out))
"""


def run(tmp_path, sqlite_template, flag: str) -> dict:
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), flag], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "CHATD_ARGON2_FAST": "1"}, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_flag_off_never_loads_strawberry(tmp_path, sqlite_template):
    assert run(tmp_path, sqlite_template, "off") == {"after_rest": False, "status": 404, "after_graphql": False}


def test_flag_on_loads_it_on_the_first_request(tmp_path, sqlite_template):
    assert run(tmp_path, sqlite_template, "on") == {"after_rest": False, "status": 200, "after_graphql": True}
