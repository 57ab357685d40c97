"""Bounds on the shape of untrusted input, checked before it is parsed or stored.

JSON nested deeper than MAX_JSON_DEPTH is refused before msgspec builds it
(msgspec would recurse until Python's RecursionError). Integers that name
seqs and versions must fit the databases' signed 64-bit INTEGER/BIGINT;
a bigger one made the driver raise OverflowError (a 500).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import Any

MAX_INT64 = 2**63 - 1
MAX_JSON_DEPTH = 32

# Linear on any input (no backtracking): escapes go first, then every other
# stretch between quotes is a string.
_ESCAPES = re.compile(rb"\\.", re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class TooDeep(ValueError):
    """JSON nested deeper than allowed."""


def _depths(data: bytes) -> Iterator[int]:
    """The nesting depth after each bracket outside strings."""
    outside = b"".join(_ESCAPES.sub(b"", data).split(b'"')[::2])
    return accumulate(map(_STEP.__getitem__, outside.translate(None, _NOT_BRACKETS)))


def json_depth(data: bytes) -> int:
    """How deeply `data` nests arrays and objects (brackets inside strings do not count)."""
    return max(_depths(data), default=0)


def check_json_depth(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise TooDeep for JSON nested deeper than `limit`. Cheap for ordinary
    input: only a document with more than `limit` brackets is scanned, and
    the scan stops at the first level past the limit."""
    raw = data.encode() if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") > limit and any(d > limit for d in _depths(raw)):
        raise TooDeep(f"JSON is nested at most {limit} levels deep.")


def decode_bounded(decode: Callable[[bytes | str], Any], data: bytes | str, limit: int = MAX_JSON_DEPTH) -> Any:
    """`decode(data)` once its depth is checked; RecursionError (a decoder
    deeper in the stack than usual) counts as too deep as well."""
    check_json_depth(data, limit)
    try:
        return decode(data)
    except RecursionError:
        raise TooDeep(f"JSON is nested at most {limit} levels deep.") from None


def nesting(value: Any) -> int:
    """Depth of an already decoded value (lists and dicts)."""
    depth, level = 0, [value]
    while level := [item for item in level if isinstance(item, (list, dict))]:
        depth += 1
        level = [v for item in level for v in (item.values() if isinstance(item, dict) else item)]
    return depth
