"""How long `chatd migrate-data` takes and its peak RSS, for BENCHMARKS.md.

Fills a fresh SQLite deployment with --messages messages through chatd's own
services (20 users, 50 conversations, sends 200 at a time, as the server
would write them: sequences, events, search index), then runs
`chatd migrate-data --to URL` as a child process and reports its wall time
and peak RSS (the child's ru_maxrss).

    .venv/bin/python tools/migrate_data_measure.py --messages 100000 \\
        --to postgresql://postgres@127.0.0.1:5432/chatd_measure   # an empty database
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("CHATD_ARGON2_FAST", "1")

from chatd.config import load  # noqa: E402
from chatd.runtime import start_runtime  # noqa: E402
from chatd.services.message_input import SendMessage  # noqa: E402


async def fill(config_path: Path, messages: int) -> None:
    runtime = await start_runtime(load(str(config_path)))
    try:
        s = runtime.services
        users = [(await s.accounts.register(f"user{i}", "correct horse battery"))[0] for i in range(20)]
        convs = [await s.conversations.create_group(users[i % 20].id, title=f"room {i}",
                                                    member_ids=[users[(i + k) % 20].id for k in (1, 2, 3)])
                 for i in range(50)]
        sent = 0
        while sent < messages:
            batch = []
            for j in range(min(200, messages - sent)):
                n = sent + j
                conv = convs[n % 50]
                author = users[(n % 50 + n % 4) % 20].id
                batch.append(s.messages.send(author, conv.id, SendMessage(
                    client_id=f"m{n}", body=f"message {n}: the quick brown fox jumps over the lazy dog")))
            await asyncio.gather(*batch)
            sent += len(batch)
    finally:
        await runtime.close()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=100_000)
    p.add_argument("--to", required=True)
    p.add_argument("--messages-to")
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="chatd-migrate-measure-"))
    config = root / "chatd.toml"
    config.write_text(f'[server]\ndata_dir = "{root}"\n[storage]\ndatabase = "sqlite:///{root}/chatd.db"\n'
                      f'media = "file:///{root}/media"\n[limits]\nmessages_per_minute = 100000\n', encoding="utf-8")
    began = time.perf_counter()
    asyncio.run(fill(config, args.messages))
    print(f"filled {args.messages:,} messages in {time.perf_counter() - began:.1f} s "
          f"({(root / 'chatd.db').stat().st_size / 1e6:.1f} MB)", flush=True)
    cmd = [sys.executable, "-m", "chatd", "migrate-data", "--config", str(config), "--to", args.to]
    if args.messages_to:
        cmd += ["--messages-to", args.messages_to]
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(done.stdout, done.stderr[-2000:], sep="\n")
    print(f"migrate-data: exit {done.returncode}, {seconds:.1f} s wall, peak RSS {peak:.1f} MB")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
