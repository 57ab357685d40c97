"""Hostile input runs against both engines: a value past a column's range
must be refused before either driver sees it."""

from __future__ import annotations

import pytest

from tests.conftest import make_config


@pytest.fixture
def config(tmp_path, database_url):
    return make_config(tmp_path, database_url)
