"""Copy the browser libraries chatd serves from node_modules/ into static/vendor/.

One list for `make vendor` and for the wheel build (setup.py): the packages are
pinned in package.json + package-lock.json and installed with `npm ci`; only
the ES module files the page loads are copied. Nothing here is committed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"

# (file in node_modules, where it goes under static/vendor)
FILES = [
    ("preact/dist/preact.mjs", "preact/preact.mjs"),
    ("preact/hooks/dist/hooks.mjs", "preact/hooks.mjs"),
    ("htm/dist/htm.mjs", "htm/htm.mjs"),
    ("redux/dist/redux.browser.mjs", "redux/redux.mjs"),
    ("idb/build/index.js", "idb/idb.js"),
    ("marked/lib/marked.esm.js", "marked/marked.mjs"),
    # tweetnacl has no ES module build: imported for its side effect, it sets
    # self.nacl (static/app/crypto/nacl.js hands that on).
    ("tweetnacl/nacl-fast.min.js", "tweetnacl/nacl-fast.min.js"),
    # Argon2id for key backups made by the Python client; runs only inside
    # static/app/crypto/argon2-worker.js (the one script allowed to compile wasm).
    ("hash-wasm/dist/argon2.umd.min.js", "hash-wasm/argon2.umd.min.js"),
    # QR codes of otpauth:// URIs (Settings > Two-step sign-in); an ES module
    # with no imports. (npm's `qrcode` ships CommonJS only: it needs a bundler.)
    ("uqr/dist/index.mjs", "uqr/uqr.mjs"),
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    ("swagger-ui-dist/swagger-ui-standalone-preset.js", "swagger-ui/swagger-ui-standalone-preset.js"),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"),
    # GraphiQL at GET /api/v1/graphql: its UMD build wants React 18's.
    ("react/umd/react.production.min.js", "graphiql/react.production.min.js"),
    ("react-dom/umd/react-dom.production.min.js", "graphiql/react-dom.production.min.js"),
    ("graphiql/graphiql.min.js", "graphiql/graphiql.min.js"),
    ("graphiql/graphiql.min.css", "graphiql/graphiql.min.css"),
]


def packages() -> list[dict[str, str]]:
    """package.json's dependencies as package-lock.json pins them: what
    `chatd sbom` lists for the browser side (the wheel carries this list)."""
    wanted = json.loads((ROOT / "package.json").read_text())["dependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    out = []
    for name in sorted(wanted):
        entry = locked[f"node_modules/{name}"]
        out.append({"name": name, "version": entry["version"], "integrity": entry.get("integrity", ""),
                    "license": entry.get("license", "")})
    return out


def install(run_npm: bool = True) -> None:
    if run_npm:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=ROOT, check=True)
    for source, target in FILES:
        dest = VENDOR / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "node_modules" / source, dest)
    (VENDOR / "packages.json").write_text(json.dumps(packages(), indent=1) + "\n")
    (VENDOR / ".installed").touch()


if __name__ == "__main__":
    install(run_npm="--no-npm" not in sys.argv)
