"""A software bill of materials (ASVS 14.2.5): CycloneDX 1.5 JSON of what an
installed chatd runs, made from what is really installed, not from a list
kept by hand.

- Python: chatd's own requirements (no extras) and theirs, each at the
  version importlib.metadata finds installed, with the dependency graph.
- Browser: package.json's dependencies as package-lock.json pins them,
  from static/vendor/packages.json (tools/vendor.py writes it beside the
  files it copies; the wheel carries it), with npm's sha512 integrity.

A small generator rather than cyclonedx-py: that one covers the Python side
only and would add six packages to every install for one command.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

SPEC = "1.5"


def _purl_pypi(name: str, version: str) -> str:
    return f"pkg:pypi/{canonicalize_name(name)}@{version}"


def _purl_npm(name: str, version: str) -> str:
    scope, _, bare = name.rpartition("/")
    return f"pkg:npm/{scope.replace('@', '%40') + '/' if scope else ''}{bare}@{version}"


def _requires(dist: metadata.Distribution) -> list[str]:
    """Names of the distributions `dist` needs here (markers evaluated, no extras)."""
    env = {**default_environment(), "extra": ""}
    names = []
    for line in dist.requires or []:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate(env):
            names.append(canonicalize_name(req.name))
    return names


def python_closure(root: str = "chatd") -> dict[str, metadata.Distribution]:
    """`root` and every distribution it needs, by canonical name."""
    found: dict[str, metadata.Distribution] = {}
    todo = [canonicalize_name(root)]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        try:
            found[name] = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # not installed here (an optional or other-platform need)
        todo.extend(_requires(found[name]))
    return found


def _license(meta: Any) -> list[dict[str, Any]]:
    expression = meta.get("License-Expression")
    if expression:
        return [{"expression": expression}]
    text = (meta.get("License") or "").strip()
    return [{"license": {"name": text[:200]}}] if text and "\n" not in text else []


def python_components() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dists = python_closure()
    refs = {name: _purl_pypi(d.metadata["Name"], d.version) for name, d in dists.items()}
    components, graph = [], []
    for name, dist in sorted(dists.items()):
        ref = refs[name]
        graph.append({"ref": ref, "dependsOn": sorted({refs[n] for n in _requires(dist) if n in refs})})
        if name == "chatd":
            continue  # the BOM's subject, in metadata.component
        components.append({"type": "library", "bom-ref": ref, "name": dist.metadata["Name"], "version": dist.version,
                           "purl": ref, "licenses": _license(dist.metadata)})
    return components, graph


def npm_components(vendor: Path) -> list[dict[str, Any]]:
    listed = json.loads((vendor / "packages.json").read_text())
    components = []
    for pkg in listed:
        ref = _purl_npm(pkg["name"], pkg["version"])
        item: dict[str, Any] = {"type": "library", "bom-ref": ref, "name": pkg["name"], "version": pkg["version"],
                                "purl": ref, "scope": "required"}
        algorithm, _, digest = pkg.get("integrity", "").partition("-")
        if algorithm == "sha512" and digest:
            item["hashes"] = [{"alg": "SHA-512", "content": base64.b64decode(digest).hex()}]
        if pkg.get("license"):
            item["licenses"] = [{"expression": pkg["license"]}]
        components.append(item)
    return components


def build(vendor: Path) -> dict[str, Any]:
    """The whole BOM, with chatd as its subject."""
    python, graph = python_components()
    browser = npm_components(vendor)
    version = metadata.version("chatd")
    subject = _purl_pypi("chatd", version)
    for entry in graph:
        if entry["ref"] == subject:
            entry["dependsOn"] = sorted([*entry["dependsOn"], *(c["bom-ref"] for c in browser)])
    return {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "chatd sbom", "version": version}]},
            "component": {"type": "application", "bom-ref": subject, "name": "chatd", "version": version,
                          "purl": subject, "licenses": [{"expression": "MIT"}]},
        },
        "components": [*python, *browser],
        "dependencies": graph,
    }


def requirements() -> list[str]:
    """`name==version` of every Python distribution chatd runs on (what `make audit` checks)."""
    return [f"{d.metadata['Name']}=={d.version}" for n, d in sorted(python_closure().items()) if n != "chatd"]
