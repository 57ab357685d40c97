"""requirements.lock (ASVS 1.14.2, 14.2.4): what `make setup` installs with
`pip --require-hashes`. It must hold every pin of pyproject.toml (runtime,
test and bench) and of tools/installers.in at the same version, each entry
with the sha256 of its files: a pin changed without `make lock` fails here
instead of failing `make setup` on someone's fresh machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# The extras `make setup` installs; `audit` and `lock` are tools installed on demand.
LOCKED_EXTRAS = ("test", "bench")
ENTRY = re.compile(r"^(?P<req>[A-Za-z0-9][^\s\\#]*(?: ; [^\\#]+?)?)\s*\\?$")
HASH = re.compile(r"^\s+--hash=sha256:[0-9a-f]{64}\s*\\?$")


def read_lock(text: str) -> dict[str, list[tuple[Requirement, int]]]:
    """name -> [(requirement, number of hashes)]: a name appears once per
    marker fork (numpy differs by Python version)."""
    entries: dict[str, list[tuple[Requirement, int]]] = {}
    current: list | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if HASH.match(line):
            assert current is not None, f"a hash before any entry: {line}"
            current[1] += 1
            continue
        found = ENTRY.match(line)
        assert found, f"not an entry or a hash: {line!r}"
        req = Requirement(found["req"])
        current = [req, 0]
        entries.setdefault(canonicalize_name(req.name), []).append(current)  # type: ignore[arg-type]
    return {name: [(r, n) for r, n in items] for name, items in entries.items()}


def pins(pyproject: str, installers: str) -> list[Requirement]:
    """Every requirement `make setup` asks for by name."""
    project = tomllib.loads(pyproject)["project"]
    lines = list(project["dependencies"])
    for extra in LOCKED_EXTRAS:
        lines += project["optional-dependencies"][extra]
    lines += [ln.split("#")[0].strip() for ln in installers.splitlines() if ln.split("#")[0].strip()]
    return [Requirement(line) for line in lines]


def disagreements(pyproject: str, installers: str, lock: str) -> list[str]:
    locked = read_lock(lock)
    problems = []
    for req in pins(pyproject, installers):
        (spec,) = req.specifier
        if spec.operator != "==":
            problems.append(f"{req}: not pinned with ==")
            continue
        versions = [str(r.specifier).removeprefix("==") for r, _ in locked.get(canonicalize_name(req.name), [])]
        if versions != [spec.version]:
            problems.append(f"{req.name}: pyproject/installers pin {spec.version}, lock has {versions or 'nothing'}")
    for name, items in locked.items():
        for req, hashes in items:
            if len(req.specifier) != 1 or next(iter(req.specifier)).operator != "==":
                problems.append(f"{req}: not pinned with == in the lock")
            if hashes == 0:
                problems.append(f"{req}: no hash in the lock")
    return problems


def texts() -> tuple[str, str, str]:
    return ((ROOT / "pyproject.toml").read_text(), (ROOT / "tools" / "installers.in").read_text(),
            (ROOT / "requirements.lock").read_text())


def test_the_lock_holds_every_pin_at_its_version_with_hashes():
    assert disagreements(*texts()) == []


def test_a_pin_changed_without_make_lock_is_caught():
    pyproject, installers, lock = texts()
    bumped = pyproject.replace('"pillow==13.0.0"', '"pillow==13.0.1"')
    assert bumped != pyproject
    assert disagreements(bumped, installers, lock) == [
        "pillow: pyproject/installers pin 13.0.1, lock has ['13.0.0']"]
    added = pyproject.replace('"zxcvbn==4.5.0",', '"zxcvbn==4.5.0",\n  "tomli-w==1.2.0",')
    assert disagreements(added, installers, lock) == ["tomli-w: pyproject/installers pin 1.2.0, lock has nothing"]
    unhashed = re.sub(r"(zxcvbn==4\.5\.0) \\\n(\s+--hash=\S+ \\\n)*\s+--hash=\S+\n", r"\1\n", lock)
    assert unhashed != lock
    assert disagreements(pyproject, installers, unhashed) == ["zxcvbn==4.5.0: no hash in the lock"]


def test_every_platform_file_is_hashed_and_setup_uses_the_lock():
    """Files for every platform, not just this machine's: a binary package has
    dozens of wheels (x86_64, aarch64 for the Pi, CPython 3.11 to 3.14)."""
    locked = read_lock(texts()[2])
    for binary in ("pillow", "granian", "msgspec", "pynacl", "uvloop"):
        (_, hashes), = locked[binary]
        assert hashes >= 20, f"{binary}: only {hashes} files hashed"
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile  # chatd itself fetches nothing


def test_the_locked_setuptools_can_build_chatd():
    build = tomllib.loads(texts()[0])["build-system"]["requires"]
    (setuptools,) = [Requirement(r) for r in build if canonicalize_name(Requirement(r).name) == "setuptools"]
    (locked, _), = read_lock(texts()[2])["setuptools"]
    assert SpecifierSet(str(setuptools.specifier)).contains(str(locked.specifier).removeprefix("=="))
