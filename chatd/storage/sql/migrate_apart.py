"""The migrations due at start-up, applied by a child process.

piccolo, and black and the rest that its migration manager imports, stay in
a process once loaded: a server's first start (and its first after an
upgrade) idled at ~72 MB instead of ~60 MB until it was restarted. A child
interpreter applies them and exits, so the server never imports them
(`chatd migrate` still runs them in its own process: it exits too).
"""

from __future__ import annotations

import asyncio
import sys

# The URL comes on stdin: it may hold a password, which argv would show to `ps`.
CHILD = "import asyncio, sys; from chatd.storage.sql.migrate import migrate; asyncio.run(migrate(sys.stdin.read()))"


async def migrate_apart(url: str) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await child.communicate(url.encode())
    if child.returncode != 0:
        said = "\n".join(err.decode(errors="replace").strip().splitlines()[-12:]) or "no output"
        raise RuntimeError(f"migration failed (exit {child.returncode}):\n{said}")
