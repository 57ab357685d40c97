"""A percentage rollout: about that share of users, the same ones every time
(across restarts too), and allow-lists on top of it."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from chatd import clock
from chatd.config import Config
from chatd.domain import User
from chatd.domain.flags import FlagState, bucket, on_by_id, on_for, parse_label
from chatd.runtime import start_runtime
from chatd.services.features import configured
from tests.conftest import make_config


def users(n: int) -> list[str]:
    return [uuid.UUID(int=uuid.uuid4().int).hex for _ in range(n)]


def test_ten_percent_is_about_a_tenth_of_a_thousand_users():
    # Binomial(1000, 0.1): mean 100, sd 9.5. 60..140 is beyond 4 sd either
    # way (a false alarm about once in 30,000 runs), while a rollout that
    # ignored the percentage (0 or 1000) or used per-mille (10) fails it.
    ids = users(1000)
    state = FlagState(percent=10)
    on = [u for u in ids if on_by_id("graphql", state, u)]
    assert 60 <= len(on) <= 140
    # Widening the rollout keeps everyone who already had it.
    wider = {u for u in ids if on_by_id("graphql", FlagState(percent=30), u)}
    assert set(on) <= wider and 230 <= len(wider) <= 370


def test_buckets_are_stable_and_independent_per_flag():
    ids = users(1000)
    assert [bucket("graphql", u) for u in ids] == [bucket("graphql", u) for u in ids]
    a = {u for u in ids if bucket("graphql", u) < 1000}
    b = {u for u in ids if bucket("search", u) < 1000}
    assert len(a & b) < 40  # independent: ~10 expected; the same 10% would be ~100


def test_allow_lists_by_id_username_and_role():
    at = clock.now()
    ann = User(id="id-ann", username="ann", display_name="Ann", role="member", created_at=at, updated_at=at)
    boss = User(id="id-boss", username="boss", display_name="Boss", role="admin", created_at=at, updated_at=at)
    assert on_for("graphql", FlagState(users=["ann"]), ann) and not on_for("graphql", FlagState(users=["ann"]), boss)
    assert on_for("graphql", FlagState(users=["id-boss"]), boss)
    assert on_for("graphql", FlagState(roles=["admin"]), boss) and not on_for("graphql", FlagState(roles=["admin"]), ann)
    assert not on_for("graphql", FlagState(), ann) and on_for("graphql", FlagState(percent=100), ann)
    # The id alone cannot tell when a username or role might match.
    assert on_by_id("graphql", FlagState(roles=["admin"]), "x") is None


@pytest.mark.parametrize("text, percent", [("on", 100), ("OFF", 0), ("10%", 10), ("0.5%", 0.5), ("true", 100)])
def test_labels(text, percent):
    assert parse_label(text) == percent


@pytest.mark.parametrize("text", ["", "10", "101%", "-1%", "half", "nan%"])
def test_bad_labels(text):
    with pytest.raises(ValueError):
        parse_label(text)


def test_chatd_toml_gives_initial_states():
    cfg = make_config(Path("/nonexistent"), features={"graphql": "25%", "search": False})
    states = configured(cfg)
    assert states["graphql"].percent == 25 and states["search"].percent == 0 and states["e2ee"].percent == 100
    assert configured(Config())["graphql"].percent == 0


async def test_a_rollout_set_at_run_time_survives_a_restart(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "chatd.db")
    cfg = make_config(tmp_path)
    ids = users(1000)
    runtime = await start_runtime(cfg)
    try:
        await runtime.services.features.set("graphql", FlagState(percent=10), actor=None)
        before = [u for u in ids if await runtime.services.features.on("graphql", u)]
    finally:
        await runtime.close()
    runtime = await start_runtime(cfg)
    try:
        after = [u for u in ids if await runtime.services.features.on("graphql", u)]
        assert next(f for f in runtime.services.features.describe() if f.name == "graphql").source == "runtime"
    finally:
        await runtime.close()
    assert before == after and 60 <= len(after) <= 140
