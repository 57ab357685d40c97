"""Where static/ (the web UI and the vendored browser libraries) lives, and
the /static route that serves it.

An installed wheel carries it as chatd/static (setup.py copies it in); a
source checkout keeps static/ beside the package; CHATD_STATIC_DIR overrides
both.
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar.static_files import create_static_files_router

_PACKAGED = Path(__file__).resolve().parents[1] / "static"
_CHECKOUT = Path(__file__).resolve().parents[2] / "static"


def static_dir() -> Path:
    override = os.environ.get("CHATD_STATIC_DIR")
    if override:
        return Path(override)
    return _PACKAGED if (_PACKAGED / "index.html").is_file() else _CHECKOUT


STATIC_DIR = static_dir()


def static_router():
    return create_static_files_router(
        path="/static", directories=[STATIC_DIR], include_in_schema=False, opt={"exclude_from_auth": True}
    )
