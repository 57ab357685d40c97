"""`chatd bench --scenarios graphql` runs end to end (small), reporting both
ways' server CPU and judging the 2x budget only at 50 conversations."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_the_graphql_scenario_runs(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "chatd", "bench", "--scenarios", "graphql", "--graphql-conversations", "3",
         "--graphql-rounds", "10", "--json", str(out), "--quiet"],
        capture_output=True, text=True, timeout=180, env={**os.environ, "CHATD_ARGON2_FAST": "1"},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(out.read_text())["graphql"]
    assert result["conversations"] == 3 and result["rest_server_cpu_ms"] > 0 and result["graphql_server_cpu_ms"] > 0
    assert result["ratio"] > 0 and result["every_field_ratio"] > 0
    # Under 50 conversations the row is reported but never counted as met.
    rows = [r for r in json.loads(out.read_text())["targets"] if r["name"].startswith("GraphQL list")]
    assert len(rows) == 1 and rows[0]["met"] is False
