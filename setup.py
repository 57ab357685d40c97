"""Build hook: the wheel carries static/ (the web UI and the vendored browser
libraries) as chatd/static, so an installed chatd serves / and /schema with
no Node at run time. Everything else is in pyproject.toml.

When static/vendor/ is missing (a fresh checkout), the build runs the vendor
step first (tools/vendor.py: `npm ci` from the pinned lock file, then copy).
"""

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithStatic(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install serves the checkout's static/ directly
        if not (ROOT / "static" / "vendor" / ".installed").exists():
            runpy.run_path(str(ROOT / "tools" / "vendor.py"))["install"]()
        target = Path(self.build_lib) / "chatd" / "static"
        shutil.copytree(ROOT / "static", target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".installed"))


setup(cmdclass={"build_py": BuildWithStatic})
