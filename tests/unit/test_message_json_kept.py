"""The kept messages' JSON (chatd/storage/sql/message_json_kept.py): a
version replaces the one before it, and the bound counts what is kept."""

from chatd.storage.sql.message_json_kept import KeptMessageJson


def test_a_new_version_replaces_the_old_and_its_bytes():
    kept = KeptMessageJson(limit=10_000)
    kept.keep("c1", [(1, 1, b"x" * 100), (2, 1, b"y" * 50)])
    size = kept.size
    kept.keep("c1", [(1, 2, b"z" * 10)])
    assert len(kept) == 2 and kept.size == size - 90
    assert kept.found("c1", [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]) == [None, b"z" * 10, b"y" * 50, None, None]
    assert kept.found("c2", [(1, 2)]) == [None]  # another conversation's seq 1


def test_the_first_kept_go_first_when_full():
    kept = KeptMessageJson(limit=1_000)
    kept.keep("c1", [(seq, 1, b"m" * 100) for seq in range(1, 11)])
    assert kept.size <= 1_000
    found = kept.found("c1", [(seq, 1) for seq in range(1, 11)])
    assert found[-1] is not None and found[0] is None
    assert found == sorted(found, key=lambda json: json is not None)  # the oldest gone, the newest kept
