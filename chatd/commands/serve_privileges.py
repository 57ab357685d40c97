"""A warning when `chatd serve` runs as root (ASVS 1.2.1): chatd needs no
privilege (its port is above 1024, it writes only data_dir), so root only
widens what a hole in it could reach. Not refused: CI and containers built
by others run as root, and they must still start."""

from __future__ import annotations

import logging
import os

log = logging.getLogger("chatd")


def warn_if_root() -> bool:
    """Logs one WARNING when this process has root's user id; True then."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    log.warning("running as root: chatd needs no privileges; run it as its own user that may write only"
                " its data_dir (the systemd unit in config/ and the Containerfile do; docs/operations.md)")
    return True
