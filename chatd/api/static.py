"""Serves static/ (web UI assets and vendored third-party files) at /static."""

from __future__ import annotations

import os
from pathlib import Path

from litestar.static_files import create_static_files_router

# A source checkout keeps static/ beside the package; CHATD_STATIC_DIR overrides.
STATIC_DIR = Path(os.environ.get("CHATD_STATIC_DIR", Path(__file__).resolve().parents[2] / "static"))


def static_router():
    return create_static_files_router(
        path="/static", directories=[STATIC_DIR], include_in_schema=False, opt={"exclude_from_auth": True}
    )
