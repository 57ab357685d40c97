"""`make release` (ASVS 1.14.2): a release is checked with OpenSSH alone,
the two commands SECURITY.md gives, and a changed byte anywhere fails them."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
release = runpy.run_path(str(ROOT / "tools" / "release.py"))

if shutil.which("ssh-keygen") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("ssh-keygen is missing: install openssh-client")
    pytest.skip("ssh-keygen is not installed", allow_module_level=True)


def make_key(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "throwaway", "-f", str(path)], check=True)
    return path


def verify(folder: Path, signers: Path) -> tuple[bool, bool]:
    """(signature good, sums good): SECURITY.md's two commands, as a user runs them."""
    with open(folder / "SHA256SUMS", "rb") as sums:
        signed = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", "release@chatd",
                                 "-n", "chatd-release", "-s", "SHA256SUMS.sig"], stdin=sums, cwd=folder,
                                capture_output=True)
    summed = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True)
    return signed.returncode == 0, summed.returncode == 0


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A release signed with a throwaway key, and the signers file naming that key."""
    base = tmp_path_factory.mktemp("release")
    key = make_key(base / "key")
    release["release"](base / "dist", key)
    signers = base / "release-signers"
    signers.write_text(release["signer_line"](key))
    return base / "dist", signers, key


def test_a_release_holds_wheel_sdist_sbom_and_signed_sums(signed):
    dist, signers, _ = signed
    names = sorted(p.name for p in dist.iterdir())
    assert names == ["SHA256SUMS", "SHA256SUMS.sig", "chatd-0.1.0-py3-none-any.whl", "chatd-0.1.0.cdx.json",
                     "chatd-0.1.0.tar.gz"]
    listed = sorted(line.split("  ")[1] for line in (dist / "SHA256SUMS").read_text().splitlines())
    assert listed == ["chatd-0.1.0-py3-none-any.whl", "chatd-0.1.0.cdx.json", "chatd-0.1.0.tar.gz"]
    assert "chatd/static/index.html" in zipfile.ZipFile(dist / "chatd-0.1.0-py3-none-any.whl").namelist()
    assert verify(dist, signers) == (True, True)


def test_a_changed_byte_in_the_wheel_or_the_sums_fails(signed, tmp_path):
    dist, signers, _ = signed
    wheel_changed = shutil.copytree(dist, tmp_path / "wheel")
    flip(wheel_changed / "chatd-0.1.0-py3-none-any.whl")
    assert verify(wheel_changed, signers) == (True, False)
    sums_changed = shutil.copytree(dist, tmp_path / "sums")
    flip(sums_changed / "SHA256SUMS")
    assert verify(sums_changed, signers)[0] is False


def test_another_key_or_namespace_does_not_verify(signed, tmp_path):
    dist, signers, key = signed
    other = tmp_path / "other-signers"
    other.write_text(release["signer_line"](make_key(tmp_path / "other")))
    assert verify(dist, other)[0] is False
    # The same key signing the same bytes for another purpose is no release.
    resigned = shutil.copytree(dist, tmp_path / "resigned")
    (resigned / "SHA256SUMS.sig").unlink()
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", "file", str(resigned / "SHA256SUMS")],
                   check=True, capture_output=True)
    assert verify(resigned, signers)[0] is False


def test_only_an_ed25519_key_into_an_empty_folder(tmp_path):
    rsa = tmp_path / "rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(rsa)], check=True)
    with pytest.raises(SystemExit, match="Ed25519"):
        release["release"](tmp_path / "dist", rsa)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="not empty"):
        release["release"](tmp_path / "busy", make_key(tmp_path / "key"))
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def flip(path: Path) -> None:
    """Change one byte in the middle of the file."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
