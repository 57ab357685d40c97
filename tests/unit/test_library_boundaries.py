"""Third-party code stays behind the modules that wrap it (ASVS 14.2.6).

Every import in chatd/ (top level or inside a function) is read from the
source with ast: a library may be imported only where it is listed here, so
a new stray import, or a new library nobody placed, fails this test. A hole
in one library then reaches the rest of chatd only through one small module
with a narrow interface, and swapping the library touches that module only.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "chatd"

# The foundations every layer is built on: the data model's types (domain
# Structs, JSON) are msgspec's.
EVERYWHERE = {"msgspec"}

# library (its import name) -> the files or folders (ending in /) that may import it.
WRAPPERS: dict[str, list[str]] = {
    # The web framework: the HTTP and WebSocket edges, the app factory, its
    # logging and key-value stores (the adapters behind storage/ports/expiring.py).
    "litestar": ["api/", "realtime/", "gql/transport_ws.py", "app.py", "logs.py", "storage/cache.py",
                 "storage/build.py", "storage/redis/store.py"],
    "multipart": ["api/form_file.py"],
    "granian": ["commands/serve.py", "commands/serve_workers.py"],
    "uvloop": ["commands/serve.py", "bench/runner.py"],
    # GraphQL: its own package; the REST side and the services never see it.
    "strawberry": ["gql/"],
    "graphql": ["gql/"],
    # Stores: each behind its adapter folder.
    "piccolo": ["storage/sql/"],
    "asyncpg": ["storage/sql/"],
    "aiosqlite": ["storage/sql/"],
    "pymongo": ["storage/mongo/"],
    "redis": ["storage/redis/connection.py"],
    "minio": ["storage/blobs/s3.py"],
    "urllib3": ["storage/blobs/s3_http.py", "storage/blobs/s3_errors.py"],
    "certifi": ["storage/blobs/s3_http.py"],
    # Untrusted images are decoded in one module (and by the client and the
    # benchmark, which make their own).
    "PIL": ["services/media/images.py", "client/e2ee/thumbnails.py", "bench/media.py"],
    # Cryptography: password hashing, the server's sealing and signature
    # checks, the client's end-to-end encryption.
    "argon2": ["services/passwords.py", "client/e2ee/backup.py"],
    # Every operation with a server key is in keys/crypto.py (the key process's, or in process).
    "nacl": ["services/signatures.py", "keys/crypto.py", "storage/blobs/sealed.py", "client/e2ee/"],
    "zxcvbn": ["services/password_strength.py"],
    # WebAuthn ceremonies (security keys): the service and its JSON shapes.
    "webauthn": ["services/second_factor/security_keys.py", "services/second_factor/credential_json.py"],
    # The Python client, the terminal chat and the benchmark speak HTTP and WebSocket as clients.
    "httpx": ["client/", "commands/talk.py", "bench/"],
    "websockets": ["client/", "bench/"],
    "packaging": ["sbom.py"],
}


def third_party_imports(path: Path) -> list[tuple[str, int]]:
    """(top-level module, line) of every absolute import that is neither the
    standard library nor chatd."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
              and getattr(node.func, "id", getattr(node.func, "attr", None)) in {"import_module", "__import__"}
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names = [node.args[0].value]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top and top != "chatd" and top not in sys.stdlib_module_names:
                found.append((top, node.lineno))
    return found


def strays(source: Path) -> list[str]:
    problems = []
    for path in sorted(source.rglob("*.py")):
        where = path.relative_to(source).as_posix()
        for library, line in third_party_imports(path):
            if library in EVERYWHERE:
                continue
            allowed = WRAPPERS.get(library)
            if allowed is None:
                problems.append(f"chatd/{where}:{line}: {library} is placed nowhere: add it to WRAPPERS")
            elif not any(where == a or (a.endswith("/") and where.startswith(a)) for a in allowed):
                problems.append(f"chatd/{where}:{line}: {library} belongs in {', '.join(allowed)}")
    return problems


def test_each_library_is_imported_only_by_its_wrappers():
    assert strays(SOURCE) == []


def test_a_stray_import_anywhere_fails(tmp_path):
    tree = tmp_path / "chatd"
    (tree / "services").mkdir(parents=True)
    (tree / "services" / "images.py").write_text("import msgspec\n\n\ndef f():\n    from PIL import Image\n")
    (tree / "services" / "odd.py").write_text("import importlib\nredis = importlib.import_module('redis.asyncio')\n")
    (tree / "api").mkdir()
    (tree / "api" / "x.py").write_text("from litestar import get\nimport requests\nfrom . import y\n")
    assert strays(tree) == [
        "chatd/api/x.py:2: requests is placed nowhere: add it to WRAPPERS",
        "chatd/services/images.py:5: PIL belongs in services/media/images.py, client/e2ee/thumbnails.py, "
        "bench/media.py",
        "chatd/services/odd.py:2: redis belongs in storage/redis/connection.py",
    ]


def test_every_wrapper_listed_exists():
    """A wrapper renamed away leaves no stale permission behind."""
    for library, places in WRAPPERS.items():
        for place in places:
            assert (SOURCE / place).exists(), f"{library}: chatd/{place} does not exist"
