"""Which store an error says is away: each backend answers for its own
driver's errors only, so a media folder's OSError is never blamed on
PostgreSQL (it stays a 500 to look into, not a 503 naming the wrong store)."""

from __future__ import annotations

import asyncpg
from pymongo.errors import AutoReconnect, OperationFailure
from redis import exceptions as redis_errors

from chatd.errors import StoreUnavailable
from chatd.storage.mongo.backend import MongoBackend
from chatd.storage.redis.connection import RedisConnection
from chatd.storage.sql.postgres import PostgresDatabase


def test_each_backend_names_only_its_own_errors() -> None:
    pg = PostgresDatabase("postgresql://u@127.0.0.1:1/x")
    mongo = MongoBackend.__new__(MongoBackend)  # no connection needed to classify errors
    assert pg.unreachable(asyncpg.exceptions.ConnectionDoesNotExistError("gone")) == "postgresql"
    assert pg.unreachable(asyncpg.exceptions.AdminShutdownError("terminating")) == "postgresql"
    assert pg.unreachable(asyncpg.exceptions.QueryCanceledError("statement timeout")) is None
    assert pg.unreachable(FileNotFoundError("media/x")) is None
    assert pg.unreachable(ConnectionRefusedError()) is None  # read/write wrap their own
    assert mongo.unreachable(AutoReconnect("down")) == "mongodb"
    assert mongo.unreachable(OperationFailure("bad query")) is None
    assert mongo.unreachable(StoreUnavailable("mongodb")) == "mongodb"
    # Redis had no answer at all: a 500 on a Redis deployment became an
    # AttributeError inside the error mapper (found by the fast lane's test).
    redis = RedisConnection("redis://127.0.0.1:1/0")
    assert redis.unreachable(redis_errors.ConnectionError("gone")) == "redis"
    assert redis.unreachable(redis_errors.TimeoutError("slow")) == "redis"
    assert redis.unreachable(redis_errors.ResponseError("WRONGTYPE")) is None
    assert redis.unreachable(FileNotFoundError("media/x")) is None
