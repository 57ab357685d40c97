"""The JSON depth check: right on tricky strings, and linear on hostile input."""

from __future__ import annotations

import time

import pytest

from chatd.bounds import TooDeep, check_json_depth, json_depth, nesting


@pytest.mark.parametrize(("doc", "depth"), [
    (b"1", 0), (b"[]", 1), (b'{"a": [1, {"b": 2}]}', 3),
    (b'{"a": "[[[[{{{{"}', 1), (b'["\\"[[[", [1]]', 2), (b'["\\\\", [1]]', 2),
])
def test_depth_ignores_brackets_in_strings(doc, depth):
    assert json_depth(doc) == depth


def test_a_hostile_body_is_checked_in_linear_time():
    # Unterminated escaped quotes made a backtracking string pattern quadratic.
    evil = b"[" * 40 + b'"\\"' * 300_000
    began = time.perf_counter()
    with pytest.raises(TooDeep):
        check_json_depth(evil)
    flat = b"[" + b"[]," * 300_000 + b"[]]"
    check_json_depth(flat)
    assert time.perf_counter() - began < 2.0


def test_nesting_of_decoded_values():
    assert (nesting(1), nesting({}), nesting({"a": [1, {"b": "x"}]})) == (0, 1, 3)
