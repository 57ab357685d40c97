"""`chatd sbom`: the software bill of materials of this installation
(chatd/sbom.py), as CycloneDX JSON or as pinned requirements for pip-audit."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    text = "print the software bill of materials (CycloneDX JSON) of this installation"
    cmd = sub.add_parser("sbom", help=text, description=text)
    cmd.add_argument("--out", metavar="PATH", help="write it to PATH instead of standard output")
    cmd.add_argument("--format", choices=["cyclonedx", "requirements"], default="cyclonedx",
                     help="requirements: the Python side as name==version lines (for pip-audit)")


def run(args: argparse.Namespace) -> int:
    from chatd import sbom

    if args.format == "requirements":
        text = "".join(line + "\n" for line in sbom.requirements())
    else:
        from chatd.api.static import STATIC_DIR

        vendor = STATIC_DIR / "vendor"
        if not (vendor / "packages.json").exists():
            print(f"chatd: {vendor}/packages.json is missing: run `make vendor` (tools/vendor.py) first",
                  file=sys.stderr)
            return 1
        text = json.dumps(sbom.build(vendor), indent=1) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
