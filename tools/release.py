"""`make release` (ASVS 1.14.2): the wheel, the sdist and the SBOM in one
folder, their SHA256SUMS, and an Ed25519 signature of that file made with
`ssh-keygen -Y sign`, so anyone can check a download with OpenSSH alone:

    ssh-keygen -Y verify -f release-signers -I release@chatd -n chatd-release \\
        -s SHA256SUMS.sig < SHA256SUMS && sha256sum -c SHA256SUMS

The first command proves the sums come from the key in release-signers, the
second that each file has the bytes that were summed. Built with the
setuptools from requirements.lock (no build isolation: nothing unhashed is
fetched), the wheel's timestamps taken from the last commit, so a rebuild
of the same commit gives the same wheel, byte for byte (the sdist and the
SBOM carry the time they were made).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDENTITY = "release@chatd"
NAMESPACE = "chatd-release"  # a signature made for anything else does not verify as a release


def build(out: Path) -> list[Path]:
    """Wheel and sdist through setuptools' PEP 517 hooks, in this interpreter."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": commit_time()}
    # setuptools talks on stdout: the names alone go to the last line.
    # (setuptools rewrites sys.argv while it builds: the folder is read first.)
    script = ("import contextlib, sys; from setuptools import build_meta as b\n"
              "out = sys.argv[1]\n"
              "with contextlib.redirect_stdout(sys.stderr):\n"
              "    names = b.build_sdist(out), b.build_wheel(out)\n"
              "print(*names)")
    done = subprocess.run([sys.executable, "-c", script, str(out)], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"the build failed:\n{done.stderr[-4000:]}")
    return [out / name for name in done.stdout.splitlines()[-1].split()]


def commit_time() -> str:
    found = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return found.stdout.strip() or "315532800"  # not a checkout: 1980, the earliest a zip holds


def sbom(out: Path, version: str) -> Path:
    path = out / f"chatd-{version}.cdx.json"
    subprocess.run([sys.executable, "-m", "chatd", "sbom", "--out", str(path)], cwd=ROOT, check=True,
                   capture_output=True)
    return path


def sums(files: list[Path]) -> Path:
    """SHA256SUMS in the format `sha256sum -c` reads (two spaces, name)."""
    out = files[0].parent / "SHA256SUMS"
    lines = [f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n" for f in sorted(files)]
    out.write_text("".join(lines))
    return out


def sign(path: Path, key: Path) -> Path:
    """path + .sig: an SSH signature (Ed25519 key) in the release namespace."""
    signature = path.with_name(path.name + ".sig")
    signature.unlink(missing_ok=True)  # ssh-keygen will not overwrite
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(path)], check=True,
                   capture_output=True)
    return signature


def signer_line(key: Path) -> str:
    """The allowed_signers line for key's public half (what release-signers holds)."""
    public = subprocess.run(["ssh-keygen", "-y", "-f", str(key)], check=True, capture_output=True,
                            text=True).stdout.split()
    if public[0] != "ssh-ed25519":
        raise SystemExit(f"{key}: releases are signed with an Ed25519 key, this is {public[0]}")
    return f'{IDENTITY} namespaces="{NAMESPACE}" {public[0]} {public[1]}\n'


def release(out: Path, key: Path) -> list[Path]:
    signer_line(key)  # an Ed25519 key, before anything is built
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: a release folder holds only what it signs")
    sdist, wheel = build(out)
    files = [sdist, wheel, sbom(out, wheel.name.split("-")[1])]
    summed = sums(files)
    return [*files, summed, sign(summed, key)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--key", type=Path, required=True, help="an OpenSSH Ed25519 private key")
    parser.add_argument("--signer-line", action="store_true", help="print the key's release-signers line only")
    args = parser.parse_args()
    if args.signer_line:
        print(signer_line(args.key), end="")
        return
    for path in release(args.out.resolve(), args.key.resolve()):
        print(path)


if __name__ == "__main__":
    main()
