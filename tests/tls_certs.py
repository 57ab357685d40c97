"""Throwaway certificates for TLS to the stores, made with the openssl CLI:
a CA, a server certificate it signs for 127.0.0.1 and localhost, one it
signs for another name only, and a second CA that signed neither (the
"wrong CA"). Locally a machine without openssl skips; with CI=true it fails."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Certs:
    ca: Path  # signed server and elsewhere
    wrong_ca: Path  # signed nothing here
    server: Path  # for 127.0.0.1 and localhost
    server_key: Path
    elsewhere: Path  # for db.example.org only: a name mismatch on 127.0.0.1
    elsewhere_key: Path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def _ca(folder: Path, name: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", str(key), "-out", str(cert),
             "-subj", f"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return cert, key


def _signed(folder: Path, name: str, alt: str, ca: tuple[Path, Path]) -> tuple[Path, Path]:
    cert, key, csr, ext = (folder / f"{name}.pem", folder / f"{name}.key", folder / f"{name}.csr",
                           folder / f"{name}.ext")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}")
    ext.write_text(f"subjectAltName={alt}\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
             "-days", "2", "-out", str(cert), "-extfile", str(ext))
    key.chmod(0o600)
    return cert, key


def make_certs(folder: Path) -> Certs:
    folder.mkdir(parents=True, exist_ok=True)
    ca = _ca(folder, "chatd-test-ca")
    wrong = _ca(folder, "another-ca")
    server = _signed(folder, "server", "IP:127.0.0.1,DNS:localhost", ca)
    elsewhere = _signed(folder, "elsewhere", "DNS:db.example.org", ca)
    return Certs(ca[0], wrong[0], server[0], server[1], elsewhere[0], elsewhere[1])


@pytest.fixture
def certs(tmp_path: Path) -> Certs:
    from tests.conftest import need_server

    if shutil.which("openssl") is None:
        need_server("openssl (to make test certificates)", FileNotFoundError("no openssl on PATH"))
    return make_certs(tmp_path / "tls")
