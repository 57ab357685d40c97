"""`chatd bench` end to end with tiny parameters: it starts its own server,
runs every scenario and reports sane numbers (no timing thresholds here:
the real figures live in BENCHMARKS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_bench_smoke(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "chatd", "bench", "--quiet", "--json", str(out),
         "--clients", "6", "--conversations", "3", "--rate", "60", "--warmup", "0.3", "--duration", "1",
         "--group-size", "8", "--fanout-messages", "2", "--idle-sockets", "12", "--idle-users", "4",
         "--idle-hold", "0.3", "--history-messages", "120", "--history-readers", "2", "--history-duration", "0.5",
         "--rest-duration", "0.5", "--rest-warmup", "0.1", "--hot-senders", "4", "--hot-duration", "0.5",
         "--hot-warmup", "0.1", "--slow-duration", "0.5"],
        capture_output=True, text=True, timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "durable (acked) messages/s" in run.stdout and "targets" in run.stdout
    report = json.loads(out.read_text())

    server = report["server"]
    assert 0 < server["ready_fresh_s"] < 30 and 0 < server["ready_restart_s"] < 30
    assert 0 < server["ready_fresh_cpu_s"] < 30 and 0 < server["ready_restart_cpu_s"] < 30
    assert server["rss_idle_bytes"] > 10 * 2**20 and server["exit_code"] == 0
    assert 0 < server["rss_idle_anon_bytes"] < server["rss_idle_bytes"]
    assert 0 < server["rss_after_login_anon_bytes"] < server["rss_after_login_bytes"]
    assert "idle RSS after a login and a few requests" in run.stdout

    t = report["throughput"]
    assert t["clients"] == 6 and t["conversations"] == 3
    assert t["sent_in_window"] > 0 and 0 < t["acked_per_s"] <= 2 * 60
    assert t["end_to_end"]["count"] > 0 and 0 < t["end_to_end"]["p50_ms"] <= t["end_to_end"]["p99_ms"]
    assert t["ack"]["count"] > 0
    assert t["errors"] == {} and t["unacked_after_drain"] == 0 and t["undelivered_after_drain"] == 0
    assert t["server_cpu_s"] is not None and t["server_cpu_s"] >= 0

    f = report["fanout"]
    assert f["group_size"] == 8 and f["recipients_reached"] == [7, 7]
    assert 0 < f["last_recipient"]["max_ms"] < 10_000

    i = report["idle"]
    assert i["opened"] == 12 and i["held"] == 12 and i["users"] == 4
    assert i["server_rss_held_bytes"] > 0

    h = report["history"]
    assert h["messages"] == 120 and h["readers"] == 2 and h["pages"] > 0 and h["wrong_pages"] == 0
    assert h["latency"]["count"] == h["pages"] and h["server_cpu_ms_per_page"] > 0
    assert h["first_pages"] == 3 and h["server_cpu_ms_per_first_page"] is not None  # 120 messages: 50, 50, 20

    # Issue 14's scenarios run by default too (their own tests: test_bench_issue14.py).
    assert report["rest"]["acked_in_window"] > 0 and report["hot"]["check"]["lost"] == 0
    assert "slow_one" in report["slowdisk"] or "not_run" in report["slowdisk"]

    names = {row["name"] for row in report["targets"]}
    assert "server CPU per history page of 50" in names
    assert "idle sockets held" in names and any(n.startswith("durable messages/s") for n in names)
    # fan-out reuses the first 6 and adds 2; idle has 4 of its own; history reuses the first 2;
    # the GraphQL list screen has 1 of its own (no other scenario's conversations in its list)
    assert report["users_created"] == 13


def test_bench_soak_smoke(tmp_path: Path) -> None:
    """The soak scenario with tiny parameters: RSS sampled, p99 per fifth, nothing lost."""
    out = tmp_path / "soak.json"
    run = subprocess.run(
        [sys.executable, "-m", "chatd", "bench", "--quiet", "--json", str(out), "--scenarios", "soak",
         "--soak-clients", "6", "--soak-rate", "60", "--soak-duration", "2", "--soak-sample", "0.5",
         "--warmup", "0.3"],
        capture_output=True, text=True, timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    k = json.loads(out.read_text())["soak"]
    assert k["clients"] == 6 and k["errors"] == {} and k["unacked_after_drain"] == 0
    assert len(k["p99_ms_by_fifth"]) == 5 and all(p is not None for p in k["p99_ms_by_fifth"])
    assert len(k["rss_mb_samples"]) >= 4 and k["rss_first_mb"] > 10
    assert "soak p99, last fifth over first" in run.stdout
