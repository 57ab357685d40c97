"""What a default server (SQLite, no Redis, flags as shipped) loads.

The budgets are "idle RSS under 45 MB, ready in under half a second"
(issue 14: also after a login and a few requests). Each optional library
costs megabytes and tens of milliseconds when imported, so each is
imported only where it is used: checked here in real server processes,
since this test process has imported all of them long ago.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chatd.bench.server import free_port, write_config
from chatd.commands.serve_malloc import GLIBC_WITH_MALLINFO2, glibc_version

# Top-level packages a default server has no use for until a feature asks.
NOT_AT_START = {
    "strawberry": "GraphQL (flag off; loaded on the first GraphQL request)",
    "graphql": "GraphQL",
    "zxcvbn": "password strength (~14 MB; the first sign-up or password change)",
    "PIL": "images (the first image upload)",
    "numpy": "images",
    "redis": "storage.cache = redis://",
    "pymongo": "MongoDB storage",
    "bson": "MongoDB storage",
    "minio": "S3 media",
    "urllib3": "S3 media",
    "nacl": "sealed media",
    "Crypto": "sealed media",
    "piccolo": "migrations (only when one is due)",
    "black": "piccolo's migration tooling",
    "asyncpg": "PostgreSQL",
    "aiosqlite": "piccolo's SQLite engine",
    "pydantic": "Litestar's pydantic plugins (chatd has no pydantic models)",
    "jinja2": "templates (chatd renders none)",
    "httpx": "a client library",
    "websockets": "the WebSocket client library (chatd talk, the tests)",
    "certifi": "CA bundles of the client libraries",
    "webauthn": "security keys (the first key ceremony; with what it pulls in, ~12 MB)",
    "cryptography": "security keys (py_webauthn's signature checks)",
    "OpenSSL": "security keys (py_webauthn imports pyOpenSSL)",
    "cbor2": "security keys",
    "pyasn1": "security keys",
}

# Imported by Litestar at the top but used only on request: present as a
# stand-in (commands/serve_lazy.py) whose first attribute read loads the
# real module; each name is one of its submodules or imports.
STAND_INS = {
    "yaml": ("yaml.loader", "Litestar's YAML schema page (chatd serves the JSON one only)"),
    "pdb": ("bdb", "Litestar's pdb_on_exception (off)"),
}

# Runs the real `chatd serve` (cli.main, as `python -m chatd serve` does) and
# writes its sys.modules to a file when asked to (a file appears).
SERVE_AND_REPORT = """
import gc, json, os, sys, threading, time
ask, out = sys.argv[1], sys.argv[2]
def report():
    while not os.path.exists(ask):
        time.sleep(0.02)
    with open(out + ".tmp", "w") as f:
        json.dump({"modules": sorted(name for name, module in list(sys.modules.items()) if module is not None),
                   "gc": {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}}, f)
    os.replace(out + ".tmp", out)
threading.Thread(target=report, daemon=True).start()
from chatd.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATD_")}
    env["CHATD_ARGON2_FAST"] = "1"
    return env


def _serve_and_report(tmp_path: Path, sqlite_template: Path | None, requests=None) -> dict:
    """`sqlite_template`: a migrated database (a restart, as on any day but
    the first); None: an empty data directory. `requests`: made first, by
    the account "ann" (made by another process)."""
    if sqlite_template is not None:
        shutil.copy(sqlite_template, tmp_path / "chatd.db")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    write_config(tmp_path / "chatd.toml", {
        "server": {"host": "127.0.0.1", "port": port, "public_url": url, "data_dir": str(tmp_path)},
        "storage": {"database": f"sqlite:///{tmp_path}/chatd.db", "media": f"file:///{tmp_path}/media"},
    })
    config = ["--config", str(tmp_path / "chatd.toml")]
    if requests is not None:
        # The account, made by another process: a sign-up loads zxcvbn, a login must not.
        made = subprocess.run([sys.executable, "-m", "chatd", "user", "create", "ann", "--password-stdin", *config],
                              input="correct horse battery staple 93\n", capture_output=True, text=True,
                              timeout=60, env=_env())
        assert made.returncode == 0, made.stderr
    ask, out = tmp_path / "report-now", tmp_path / "modules.json"
    server = subprocess.Popen([sys.executable, "-c", SERVE_AND_REPORT, str(ask), str(out), "serve", *config],
                              env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as http:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "server not ready"
                try:
                    if http.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            if requests is not None:
                requests(http)
        ask.touch()
        deadline = time.monotonic() + 30
        while not out.exists():
            assert time.monotonic() < deadline, "no module list"
            time.sleep(0.02)
        return json.loads(out.read_text())
    finally:
        server.terminate()
        server.wait(30)


def _loaded(modules: set[str]) -> dict[str, str]:
    loaded = {name: why for name, why in NOT_AT_START.items()
              if any(m == name or m.startswith(name + ".") for m in modules)}
    loaded.update({name: why for name, (inside, why) in STAND_INS.items() if inside in modules})
    return loaded


def _login_and_a_few_requests(http: httpx.Client) -> None:
    login = http.post("/api/v1/auth/login", json={"username": "ann", "password": "correct horse battery staple 93"})
    assert login.status_code == 200, login.text
    h = {"authorization": "Bearer " + login.json()["token"]}
    for path in ("/me", "/conversations", "/contacts", "/me/features"):
        assert http.get("/api/v1" + path, headers=h).status_code == 200, path
    group = http.post("/api/v1/conversations", json={"kind": "group", "title": "t", "member_ids": []}, headers=h)
    assert group.status_code == 201, group.text
    sent = http.post(f"/api/v1/conversations/{group.json()['id']}/messages", json={"body": "hi", "client_id": "c1"},
                     headers=h)
    assert sent.status_code == 201, sent.text
    assert http.get(f"/api/v1/conversations/{group.json()['id']}/messages", headers=h).status_code == 200


def _serve_and_list_modules(tmp_path: Path, sqlite_template: Path | None, requests=None) -> set[str]:
    return set(_serve_and_report(tmp_path, sqlite_template, requests)["modules"])


def test_a_default_server_loads_no_optional_library_at_start(tmp_path, sqlite_template):
    report = _serve_and_report(tmp_path, sqlite_template)
    # The collector is off while the app is built, then on again, with what
    # start-up made frozen out of its sight.
    assert report["gc"]["enabled"] and report["gc"]["frozen"] > 10_000
    modules = set(report["modules"])
    assert "litestar" in modules and "chatd.app" in modules  # the list is the server's
    assert _loaded(modules) == {}
    # Nor the other commands' modules (the command line builds only serve's parser).
    assert {m for m in modules if m.startswith(("chatd.commands.", "chatd.bench"))} <= {
        "chatd.commands.serve", "chatd.commands.serve_lazy", "chatd.commands.serve_malloc",
        "chatd.commands.serve_memory", "chatd.commands.serve_privileges", "chatd.commands.serve_nodump"}


def test_nor_on_its_first_start_which_migrates_an_empty_database(tmp_path):
    # The migrations run in a child process: piccolo and black would stay.
    modules = _serve_and_list_modules(tmp_path, None)
    assert "chatd.app" in modules and (tmp_path / "chatd.db").stat().st_size > 0
    assert _loaded(modules) == {}


def test_nor_after_a_login_and_a_few_requests(tmp_path, sqlite_template):
    modules = _serve_and_list_modules(tmp_path, sqlite_template, _login_and_a_few_requests)
    assert _loaded(modules) == {}


# What the process that `chatd serve` replaces has loaded when it execs.
EXEC_PROBE = """
import json, os, sys
def execve(path, argv, env):
    print(json.dumps({"argv": argv[1:], "malloc": env.get("PYTHONMALLOC"),
                      "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("litestar", "granian", "chatd", "ctypes"))}))
    sys.stdout.flush()
    os._exit(0)
os.execve = execve
sys.argv = ["chatd", *sys.argv[1:]]
from chatd.cli import main
main()
raise SystemExit("serve did not re-execute")
"""


@pytest.mark.skipif((glibc_version() or (0,)) < GLIBC_WITH_MALLINFO2, reason="re-executes on glibc >= 2.33 only")
def test_serve_re_executes_before_loading_the_web_stack(tmp_path):
    # With PYTHONMALLOC unset it re-executes itself once; everything the
    # replaced process imported is thrown away, so it should import nothing.
    env = {k: v for k, v in _env().items() if k != "PYTHONMALLOC"}
    done = subprocess.run([sys.executable, "-c", EXEC_PROBE, "serve", "--port", "1"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["malloc"] == "malloc"
    assert seen["argv"][-3:] == ["serve", "--port", "1"]
    assert set(seen["loaded"]) <= {"chatd", "chatd.cli", "chatd.commands", "chatd.commands.serve_malloc"}



@pytest.mark.skipif((glibc_version() or (0,)) < GLIBC_WITH_MALLINFO2, reason="glibc >= 2.33 only")
def test_the_c_library_is_opened_without_running_ldconfig(monkeypatch):
    # ctypes.util.find_library("c") runs `ldconfig -p` in a child process:
    # ~10 ms of every start-up, before the port opens.
    from chatd.commands import serve_memory

    def no_child(*args, **kwargs):
        raise AssertionError(f"a process was started: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", no_child)
    libc = serve_memory._libc()
    assert libc is not None and libc.malloc_trim and libc.mallinfo2


STAND_IN_PROBE = """
import sys
from chatd.commands import serve_lazy
serve_lazy.defer()
import litestar.app, litestar.openapi.plugins  # the modules that import them at the top
assert "yaml.loader" not in sys.modules and "bdb" not in sys.modules
import yaml
assert yaml.safe_load("a: [1, 2]") == {"a": [1, 2]}  # the first use loads PyYAML
assert "yaml.loader" in sys.modules and type(sys.modules["yaml"]) is type(sys)
assert litestar.openapi.plugins.yaml.dump({"b": 1}) == "b: 1\\n"  # through Litestar's stand-in too
assert callable(litestar.app.pdb.post_mortem) and "bdb" in sys.modules
"""


def test_a_stand_in_loads_its_module_on_first_use():
    done = subprocess.run([sys.executable, "-c", STAND_IN_PROBE], capture_output=True, text=True, timeout=60,
                          env=_env())
    assert done.returncode == 0, done.stderr[-2000:]
