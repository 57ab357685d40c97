"""`chatd sbom` (ASVS 14.2.5): a CycloneDX document that lists every direct
dependency of pyproject.toml and package.json at its pinned version, with
what they pull in, and the requirement lines `make audit` checks."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from chatd.cli import main

ROOT = Path(__file__).resolve().parents[2]


def pinned_python() -> dict[str, str]:
    """pyproject.toml's runtime dependencies that apply here, name -> pinned version."""
    out = {}
    for line in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            (spec,) = req.specifier
            assert spec.operator == "==", f"{line}: not pinned"
            out[canonicalize_name(req.name)] = spec.version
    return out


def pinned_npm() -> dict[str, str]:
    declared = json.loads((ROOT / "package.json").read_text())["dependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    for name, version in declared.items():
        assert locked[f"node_modules/{name}"]["version"] == version, f"{name}: lock file disagrees"
    return declared


@pytest.fixture(scope="module")
def bom(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("sbom") / "sbom.cdx.json"
    assert main(["sbom", "--out", str(out)]) == 0
    return json.loads(out.read_text())


def test_is_cyclonedx_with_chatd_as_its_subject(bom):
    assert (bom["bomFormat"], bom["specVersion"], bom["version"]) == ("CycloneDX", "1.5", 1)
    assert bom["serialNumber"].startswith("urn:uuid:")
    assert bom["metadata"]["component"]["name"] == "chatd"
    refs = [c["bom-ref"] for c in bom["components"]]
    assert len(refs) == len(set(refs))
    known = {*refs, bom["metadata"]["component"]["bom-ref"]}
    assert all(ref in known for entry in bom["dependencies"] for ref in [entry["ref"], *entry["dependsOn"]])


def test_lists_every_direct_python_dependency_at_its_pin(bom):
    found = {canonicalize_name(c["name"]): c for c in bom["components"] if c["purl"].startswith("pkg:pypi/")}
    for name, version in pinned_python().items():
        assert name in found, f"{name} missing from the SBOM"
        assert found[name]["version"] == version and found[name]["purl"] == f"pkg:pypi/{name}@{version}"
    subject = next(e for e in bom["dependencies"] if e["ref"] == bom["metadata"]["component"]["bom-ref"])
    assert {f"pkg:pypi/{n}@{v}" for n, v in pinned_python().items()} <= set(subject["dependsOn"])
    assert len(found) > len(pinned_python())  # what they pull in is listed too
    assert "pytest" not in found and "py-spy" not in found  # extras are not what chatd runs on


def test_lists_every_npm_package_at_its_locked_version_with_its_hash(bom):
    found = {c["name"]: c for c in bom["components"] if c["purl"].startswith("pkg:npm/")}
    assert found.keys() == pinned_npm().keys()
    for name, version in pinned_npm().items():
        assert found[name]["version"] == version and found[name]["purl"] == f"pkg:npm/{name}@{version}"
        (digest,) = found[name]["hashes"]
        assert digest["alg"] == "SHA-512" and len(digest["content"]) == 128


def test_requirements_for_the_audit_are_the_same_pins(capsys):
    assert main(["sbom", "--format", "requirements"]) == 0
    lines = capsys.readouterr().out.splitlines()
    pins = {canonicalize_name(line.partition("==")[0]): line.partition("==")[2] for line in lines}
    assert all(pins.get(name) == version for name, version in pinned_python().items()), lines
    assert "chatd" not in pins
