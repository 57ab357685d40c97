"""No secret is committed (ASVS 2.10.4): every file git tracks is scanned
for private keys, cloud and chat tokens, passwords in URLs and non-empty
secrets in config files. Keys and passwords come from the config or the
environment; examples use placeholders (PASSWORD, $VAR, {var}, ***)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret key": re.compile(r"aws_secret_access_key\s*[=:]\s*['\"]?[A-Za-z0-9/+]{40}\b", re.I),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
}
# scheme://user:password@host; group 1 is the password.
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@'\"`<>]+:([^\s/@'\"`<>]+)@")
# key = "value" in a config file, for names that hold secrets; group 1 is the value.
CONFIG_SECRET = re.compile(r"^\s*[\w.-]*(?:password|secret|token|key)\w*\s*[=:]\s*[\"']([^\"']+)[\"']", re.I | re.M)
CONFIG_FILES = (".toml", ".yaml", ".yml", ".env", ".ini", ".cfg")
# What is plainly not a secret: $VAR and ${VAR:-default}, {expression} (an
# f-string), a NAME in capitals, *** (redacted), <placeholder>.
PLACEHOLDER = re.compile(r"^(\$\{?[A-Za-z_][^}]*\}?|\{[^}]*\}|[A-Z][A-Z0-9_]*|\*+|<[^>]+>)$")
# Passwords in committed URLs that are examples, each said to be one where it
# stands: words that name themselves (docs, chatd.toml, --help texts, the
# compose and PostgreSQL examples), and the tests' made-up ones (a
# percent-encoding test's, one-letter pairs no server ever sees).
ALLOWED = {
    "pw", "password", "secret", "change-me", "set-in-env",  # docs and example configs
    "b", "d", "se%2Fcr%40et",  # tests/contract/test_media_migrate.py, tests/media/test_parts.py
}


def findings(path: str, text: str) -> list[str]:
    found = [f"{path}: {name}" for name, pattern in PATTERNS.items() if pattern.search(text)]
    secrets = [m.group(1) for m in URL_PASSWORD.finditer(text)]
    if path.endswith(CONFIG_FILES):
        secrets += [m.group(1) for m in CONFIG_SECRET.finditer(text)]
    found += [f"{path}: password {value[:2]}... in a URL or config value" for value in secrets
              if value not in ALLOWED and not PLACEHOLDER.match(value)]
    return found


def tracked() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing tracked to scan")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p]


def test_no_tracked_file_holds_a_secret():
    hits = []
    scanned = 0
    for path in tracked():
        try:
            text = (ROOT / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # images, fonts; a file deleted but not yet committed
        scanned += 1
        hits += findings(path, text)
    assert scanned > 300  # the whole tree, not an empty listing
    assert hits == []


def test_the_scanner_finds_what_it_looks_for():
    """Each rule fires on a sample (put together here, so this file holds none)."""
    samples = {
        "key.pem": "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3Blbn...",
        "deploy.py": "AWS_KEY = '" + "AKIA" + "Z7QX3MPLE4NOTRL0'",
        "aws.cfg": "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "ci.sh": "TOKEN=gh" + "p_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "notify.py": "xox" + "b-123456789012-abcdefghij",
        "README.md": "storage.database = postgresql://chatd:" + "hunter2hunter2" + "@db/chatd",
        "chatd.toml": 'encryption_key = "' + "c2VjcmV0IGtleSBieXRlcyBoZXJlIDMyIGJ5dGVzIQ==" + '"',
    }
    for path, text in samples.items():
        assert findings(path, text), path
    clean = {
        "docs.md": "postgresql://chatd:PASSWORD@db/chatd, s3://KEY:SECRET@host/b, postgresql://u:***@db",
        "compose.yaml": "postgresql://chatd:${POSTGRES_PASSWORD:-change-me}@postgres/chatd",
        "test.py": 'f"s3://{ACCESS}:{SECRET}@127.0.0.1:{port}/bucket"',
        "chatd.toml": 'encryption_key = ""',
    }
    for path, text in clean.items():
        assert findings(path, text) == [], path
