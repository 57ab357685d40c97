"""The checks and parsers behind issue 14's bench scenarios, on made-up
inputs: a check that never fails would make the bench's "none lost" line
worthless, so each is shown failing here."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chatd.bench import slow_disk
from chatd.bench.hot import clean, verify
from chatd.bench.light_http import LightHttp
from chatd.bench.profile_summary import NATIVE, parse, step_of, summarize_window
from chatd.bench.profiler import Window
from chatd.bench.report import evaluate

ACKED = {f"c{i}": (f"m{i}", i) for i in range(1, 6)}
STORED = [(f"m{i}", i, f"c{i}") for i in range(1, 6)]


def hot_report(check: dict) -> dict:
    return {"hot": {"in_flight": 16, "transport": "rest", "acked_per_s": 3500.0, "errors": {}, "check": check}}


def rows(report: dict) -> dict[str, bool]:
    return {row["name"]: row["met"] for row in evaluate(report)}


def test_every_ack_stored_once_passes():
    check = verify(ACKED, STORED)
    assert clean(check) and check["acked_total"] == check["stored_total"] == 5
    assert all(rows(hot_report(check)).values())


def test_a_dropped_message_fails_the_check_and_the_targets():
    check = verify(ACKED, STORED[:2] + STORED[3:])
    assert check["lost"] == 1 and check["examples"]["lost"] == ["c3"] and check["seq_gaps"] == 1
    verdicts = rows(hot_report(check))
    assert verdicts and not any(verdicts.values())  # the rate row too: a fast run that loses one is not met


def test_a_doubled_or_changed_message_fails():
    doubled = verify(ACKED, STORED + [("m9", 6, "c2")])
    assert doubled["doubled"] == 1 and not clean(doubled)
    changed = verify(ACKED, [(mid, seq, cid) if cid != "c4" else ("other", seq, cid) for mid, seq, cid in STORED])
    assert changed["changed"] == 1 and not clean(changed)
    repeated = verify(ACKED, STORED + [("m9", 5, None)])
    assert repeated["seq_repeats"] == 1 and not clean(repeated)


def test_the_rest_budget_row_needs_eight_in_flight_and_no_errors():
    def row(**kw):
        r = {"in_flight": 8, "server_cpu_ms_per_send": 0.3, "errors": {}, **kw}
        return next(v for k, v in rows({"rest": r}).items() if k.startswith("server CPU per durable REST"))

    assert row() is True
    assert row(server_cpu_ms_per_send=0.41) is False
    assert row(in_flight=1) is False
    assert row(errors={"HTTP 500": 1}) is False


def test_the_slow_disk_row_needs_batches_and_the_kept_share():
    def phase(per_commit):
        return {"errors": {}, "messages_per_wal_sync": per_commit}

    def met(kept, per_commit=5.0, delay=3.0):
        d = {"fsync_delay_ms": delay, "senders": 16, "kept": kept, "fast_group": phase(6.0),
             "slow_group": phase(per_commit), "slow_one": phase(1.0)}
        return list(rows({"slowdisk": d}).values())[0]

    assert met(0.8) is True
    assert met(0.3) is False  # throughput collapsed with the slow disk
    assert met(0.8, per_commit=1.0) is False  # no grouping: not what the row claims
    assert met(0.8, delay=0.5) is False  # not a slow disk


def test_no_compiler_means_the_scenario_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(slow_disk.shutil, "which", lambda name: None)
    assert "no C compiler" in slow_disk.build_shim(tmp_path)


def test_profile_samples_are_grouped_by_step_and_weighed_by_thread_cpu(tmp_path: Path):
    raw = tmp_path / "p.txt"
    raw.write_text(
        "thread (10): MainThread;run (uvloop/__init__.py:92);handle (litestar/routes/http.py:81);"
        "authenticate_request (chatd/api/security.py:62);fetchrow (chatd/storage/sql/sqlite.py:51) 30\n"
        "thread (10): MainThread;run (uvloop/__init__.py:92);handle (litestar/routes/http.py:81);"
        "append (chatd/storage/sql/message_append.py:10) 10\n"
        "thread (11): chatd-sqlite-commit_0;_worker (concurrent/futures/thread.py:83);"
        "_commit (chatd/storage/sql/sqlite.py:71) 5\n"
        "thread (11): chatd-sqlite-commit_0;_worker (concurrent/futures/thread.py:83) 95\n"
        "thread (12) 7\n")
    samples = parse(raw)
    assert samples[0][:2] == (10, "MainThread") and samples[0][2][-1] == "chatd/storage/sql/sqlite.py:fetchrow"
    assert step_of("MainThread", samples[0][2]).startswith("auth")  # its database read is part of the lookup
    assert step_of("MainThread", samples[1][2]).startswith("storage")
    assert step_of("", []) == NATIVE
    win = Window("rest", raw, what="send", operations=100, seconds=1.0, server_cpu_s=0.6,
                 thread_cpu_s={10: ("python", 0.4), 11: ("python", 0.1), 12: ("python", 0.05), 13: ("python", 0.05)})
    text = "\n".join(summarize_window(win, 200))
    # 30 of the loop's 40 samples are auth: 0.3 s over 100 sends; the commit
    # thread's waiting samples are dropped, its 0.1 s all goes to _commit.
    assert "  0.300 s   3.000 ms/op  auth/session lookup" in text
    assert "  0.100 s   1.000 ms/op  storage" in text
    assert "  0.100 s   1.000 ms/op  commit thread" in text
    assert "threads with no Python state" in text and "MainThread (10)" in text


async def _serve_once(responses: list[bytes]) -> tuple[asyncio.base_events.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for response in responses:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
            await reader.readexactly(length)
            writer.write(response)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.anyio
async def test_light_http_reads_lengths_chunks_and_keeps_the_connection():
    server, port = await _serve_once([
        b"HTTP/1.1 201 Created\r\ncontent-length: 7\r\n\r\n{\"a\":1}",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"b\r\n4\r\n\":2}\r\n0\r\n\r\n",
        b"HTTP/1.1 429 Too Many\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    ])
    async with server:
        http = LightHttp(f"http://127.0.0.1:{port}", "t")
        assert await http.call("POST", "/x", b"{}") == (201, b'{"a":1}')
        assert await http.call("GET", "/y") == (200, b'{"b":2}')
        assert await http.call("POST", "/z", b"[]") == (429, b"{}")
        assert http._writer is None  # closed as the server asked; the next call reconnects


def test_interleaved_rounds_add_up():
    from collections import Counter

    from chatd.bench.rest_load import LoadResult

    one = LoadResult(16, 1.0, 100, [0.01] * 100, 0.05, 0.01, Counter({"HTTP 429": 1}), {"a": ("m1", 1)})
    one.add(LoadResult(16, 1.0, 300, [0.02] * 300, 0.15, 0.02, Counter({"HTTP 429": 2}), {"b": ("m2", 2)}))
    s = one.summary()
    assert s["acked_per_s"] == 200.0 and s["server_cpu_ms_per_send"] == 0.5 and s["latency"]["count"] == 400
    assert s["errors"] == {"HTTP 429": 3} and set(one.acked) == {"a", "b"}
    one.add(LoadResult(16, 1.0, 0, [], None, 0.0))
    assert one.summary()["server_cpu_ms_per_send"] is None  # one unknown round: no made-up figure


def test_profile_without_py_spy_says_how_to_get_it(tmp_path, monkeypatch):
    from chatd.bench import profiler

    monkeypatch.setattr(profiler, "py_spy", lambda: None)
    with pytest.raises(RuntimeError, match=r"pip install 'chatd\[bench\]'"):
        profiler.Profiler(1, tmp_path)


@pytest.mark.anyio
async def test_a_failing_slot_cannot_starve_the_measurement():
    from chatd.bench.probe import Probe
    from chatd.bench.rest_load import closed_loop

    async def refused(slot: int, client_id: str):
        return "ConnectionLost"  # answers at once, as a closed socket does

    result = await asyncio.wait_for(closed_loop(refused, in_flight=2, warmup=0.05, duration=0.1, probe=Probe(None),
                                                label="x", what="send"), timeout=5)
    assert result.acked_in_window == 0 and result.errors["ConnectionLost"] > 0
    assert result.summary()["server_cpu_ms_per_send"] is None


def test_a_history_page_is_judged_against_issue_14s_quarter_millisecond():
    def verdict(ms: float, wrong: int = 0) -> bool:
        return rows({"history": {"server_cpu_ms_per_page": ms, "wrong_pages": wrong}})[
            "server CPU per history page of 50"]

    assert verdict(0.25) and not verdict(0.26) and not verdict(0.4) and not verdict(0.2, wrong=1)


def test_idle_rss_is_judged_at_start_and_after_a_login_against_45_mb():
    server = {"rss_idle_bytes": 44 * 2**20, "rss_after_login_bytes": 45 * 2**20}
    assert rows({"server": server}) == {"idle RSS": True, "idle RSS after a login and a few requests": True}
    server = {"rss_idle_bytes": 45 * 2**20, "rss_after_login_bytes": int(45.2 * 2**20)}
    assert rows({"server": server}) == {"idle RSS": False, "idle RSS after a login and a few requests": False}


def test_issue_14s_websocket_rows_need_the_full_load_and_a_clean_run():
    def verdicts(**kw) -> dict[str, bool]:
        t = {"clients": 200, "target_rate": 3000, "acked_per_s": 3000.0, "unacked_after_drain": 0,
             "undelivered_after_drain": 0, "errors": {}, "send_failed_socket_closed": 0, "sockets_dropped": 0,
             "end_to_end": {"p99_ms": 10.0}, "server_cpu_ms_per_message": 0.25, **kw}
        got = rows({"throughput": t})
        return {k: got[k] for k in ("end-to-end p99 at that load (issue 14)", "server CPU per WebSocket send at that load")}

    assert all(verdicts().values())
    assert verdicts(end_to_end={"p99_ms": 10.1}) == {"end-to-end p99 at that load (issue 14)": False,
                                                      "server CPU per WebSocket send at that load": True}
    assert verdicts(server_cpu_ms_per_message=0.26)["server CPU per WebSocket send at that load"] is False
    assert not any(verdicts(clients=100).values()) and not any(verdicts(unacked_after_drain=1).values())


def test_an_idle_socket_is_judged_against_64_kb_with_all_sockets_held():
    def verdict(per_socket: int, held: int = 5000) -> bool:
        return rows({"idle": {"held": held, "server_rss_per_socket_bytes": per_socket}})["RSS per idle socket"]

    assert verdict(64 * 1024) and not verdict(64 * 1024 + 200) and not verdict(160_999)
    assert not verdict(1_000, held=4_999)
