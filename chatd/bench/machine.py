"""What the numbers were measured on (goes into the report and BENCHMARKS.md)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def describe() -> dict[str, object]:
    mem = _first("/proc/meminfo", "MemTotal")
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "ram_mb": int(mem.split()[0]) // 1024 if mem else None,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
