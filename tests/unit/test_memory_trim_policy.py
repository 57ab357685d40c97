"""When `chatd serve` gives free heap memory back (serve_memory.TrimPolicy).

The figures replay what a 5,000-socket burst did to the C heap's free bytes
(mallinfo2's fordblks, read every 5 s): the first trim came while the sockets
were still closing, and what they freed after it must not stay for good."""

from __future__ import annotations

from chatd.commands.serve_memory import SETTLED_ABOVE, TRIM_ABOVE, TRIM_GAP, TrimPolicy

MB = 2**20
BUSY, QUIET = 0.9, 0.01


def test_a_large_surplus_is_trimmed_even_under_load():
    policy = TrimPolicy(2 * MB)
    assert policy.look(2 * MB + TRIM_ABOVE + MB, 5.0, BUSY)


def test_what_a_burst_freed_after_its_first_trim_is_trimmed_once_the_server_is_quiet():
    policy = TrimPolicy(0)
    assert policy.look(70 * MB, 5.0, BUSY)  # sockets still closing
    policy.trimmed(70 * MB, 5.0)  # returned pages stay free chunks: the floor is 70 MB now
    assert not policy.look(82 * MB, 10.0, BUSY)  # 12 MB more freed, still moving
    assert not policy.look(84 * MB, 15.0, QUIET)  # quiet, but moved by 2 MB since
    assert policy.look(84 * MB, 20.0, QUIET)  # settled: no need to wait out the gap
    policy.trimmed(84 * MB, 20.0)
    for t in range(5, 30):  # then nothing more to do
        assert not policy.look(84 * MB, 5.0 * t, QUIET)


def test_a_trim_while_busy_is_followed_by_one_once_quiet():
    # What is freed after it may be little (+3 MB of free chunks) yet unpin
    # many pages around it: the second trim gave back ~20 MB more.
    policy = TrimPolicy(0)
    assert policy.look(80 * MB, 5.0, 0.2)
    policy.trimmed(80 * MB, 5.0)
    assert not policy.look(84 * MB, 10.0, 0.06)  # 4 MB more: below SETTLED_ABOVE, still serving
    assert policy.look(84 * MB, 15.0, QUIET)
    policy.trimmed(84 * MB, 15.0)
    assert not policy.look(84 * MB, 20.0, QUIET)


def test_a_quiet_trim_needs_no_follow_up():
    policy = TrimPolicy(0)
    assert not policy.look(SETTLED_ABOVE + MB, 5.0, QUIET)
    assert policy.look(SETTLED_ABOVE + MB, 10.0, QUIET)
    policy.trimmed(SETTLED_ABOVE + MB, 10.0)
    assert not policy.look(SETTLED_ABOVE + MB, 15.0, QUIET)


def test_a_busy_server_waits_out_the_gap_between_trims():
    policy = TrimPolicy(0)
    assert policy.look(TRIM_ABOVE + MB, 5.0, BUSY)
    policy.trimmed(TRIM_ABOVE + MB, 5.0)
    assert not policy.look(2 * TRIM_ABOVE + 2 * MB, 10.0, BUSY)
    assert not policy.look(2 * TRIM_ABOVE + 2 * MB, 4.0 + TRIM_GAP, BUSY)
    assert policy.look(2 * TRIM_ABOVE + 2 * MB, 5.0 + TRIM_GAP, BUSY)


def test_no_small_trim_while_the_server_is_busy_or_the_heap_still_moves():
    policy = TrimPolicy(0)
    assert not policy.look(SETTLED_ABOVE + 4 * MB, 30.0, QUIET)  # moved since the last look
    assert not policy.look(SETTLED_ABOVE + 4 * MB, 35.0, BUSY)  # settled, but serving
    assert policy.look(SETTLED_ABOVE + 4 * MB, 40.0, QUIET)


def test_a_small_surplus_is_left_alone():
    policy = TrimPolicy(10 * MB)
    for t in range(1, 20):
        assert not policy.look(10 * MB + SETTLED_ABOVE - MB, 5.0 * t, QUIET)


def test_a_trim_is_not_repeated_for_memory_it_already_gave_back():
    policy = TrimPolicy(0)
    assert policy.look(20 * MB, 30.0, QUIET) is False  # moved by 20 MB: not settled yet
    assert policy.look(20 * MB, 35.0, QUIET)
    policy.trimmed(20 * MB, 35.0)
    for t in range(8, 30):
        assert not policy.look(20 * MB, 5.0 * t, QUIET)


def test_the_floor_follows_the_heap_down_between_trims():
    policy = TrimPolicy(40 * MB)
    assert not policy.look(5 * MB, 5.0, BUSY)  # freed memory was reused
    assert not policy.look(5 * MB, 10.0, QUIET)
    assert policy.look(5 * MB + SETTLED_ABOVE + MB, 15.0, BUSY) is False  # grew, not settled
    assert policy.look(5 * MB + SETTLED_ABOVE + MB, 20.0, QUIET)
