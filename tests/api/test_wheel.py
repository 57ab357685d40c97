"""`pip install` alone gives a working / and /schema: the wheel carries the
web UI and the vendored browser libraries (setup.py copies static/ in)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# Packaging only: no store involved.
pytestmark = pytest.mark.one_backend

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_the_web_ui_and_vendored_files(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
                    str(ROOT)], check=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("chatd-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ["chatd/static/index.html", "chatd/static/sw.js", "chatd/static/manifest.webmanifest",
                 "chatd/static/schema.js", "chatd/static/app/main.js", "chatd/static/app/app.css",
                 "chatd/static/app/views/MessageList.js", "chatd/static/vendor/preact/preact.mjs",
                 "chatd/static/vendor/redux/redux.mjs", "chatd/static/vendor/idb/idb.js",
                 "chatd/static/vendor/swagger-ui/swagger-ui-bundle.js",
                 "chatd/static/vendor/packages.json"]:  # the npm side of `chatd sbom`
        assert name in names, name
    assert not any("node_modules" in n for n in names)
    # Installed (here: unpacked first on the path), chatd finds its own copy.
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    found = subprocess.run([sys.executable, "-c", "from chatd.api.static import STATIC_DIR; print(STATIC_DIR)"],
                           env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"}, cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert Path(found) == unpacked / "chatd" / "static"
