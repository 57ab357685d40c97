"""The real-time building blocks on their own: the sequencer's ordering and
gap rules, the membership view's seeding, the outbox's bounds."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from chatd.realtime import frames
from chatd.realtime.bus import EventMsg
from chatd.realtime.membership import Memberships
from chatd.realtime.outbox import Outbox
from chatd.realtime.sequencer import Sequencer


def msg(seq: int) -> EventMsg:
    return EventMsg(seq=seq, type="x", user_id="u", frame=msgspec.Raw(b"{}"))


class Log:
    """What the event log holds (committed seqs) and what the sequencer hands on."""

    def __init__(self, committed: list[int], head: int = 0):
        self.committed = committed
        self.head = head
        self.delivered: list[int] = []
        self.reads = 0

    async def fill(self, after: int, upto: int, limit: int) -> list[EventMsg]:
        self.reads += 1
        return [msg(s) for s in self.committed if after < s <= upto][:limit]

    async def latest(self) -> int:
        return self.head

    def sequencer(self) -> Sequencer:
        return Sequencer(lambda m: self.delivered.append(m.seq), self.fill, self.latest, gap_wait=0.05,
                         poll_every=0.1)


async def test_out_of_order_arrivals_leave_in_order_without_reading_the_log():
    log = Log([1, 2, 3, 4])
    seq = log.sequencer()
    await seq.start()
    for s in (2, 1, 4, 3, 3, 1):
        seq.push(msg(s))
    assert log.delivered == [1, 2, 3, 4]
    await asyncio.sleep(0.1)
    assert log.reads == 0
    await seq.stop()


async def test_a_missing_seq_is_read_from_the_log_and_a_rolled_back_one_skipped():
    log = Log([1, 2, 4, 5])  # 3 was rolled back; 2 committed but its callback is lost
    seq = log.sequencer()
    await seq.start()
    seq.push(msg(1))
    seq.push(msg(4))
    seq.push(msg(5))
    assert log.delivered == [1]
    await asyncio.sleep(0.15)
    assert log.delivered == [1, 2, 4, 5]
    seq.push(msg(2))  # late: already delivered from the log
    seq.push(msg(6))
    assert log.delivered == [1, 2, 4, 5, 6]
    await seq.stop()


async def test_the_poll_catches_writes_nobody_announced():
    log = Log([1, 2, 3], head=0)
    seq = log.sequencer()
    await seq.start()
    log.head = 3
    await asyncio.sleep(0.35)
    assert log.delivered == [1, 2, 3]
    await seq.stop()


def test_membership_changes_heard_while_seeding_are_applied_over_the_seed():
    m = Memberships()
    view, fresh = m.attach("ann")
    assert fresh and m.audience("c1") == set()
    m.changed("c1", "ann", joined=False)  # left after the seed query read "member"
    m.changed("c2", "ann", joined=True)
    m.seed("ann", view, ["c1", "c3"])
    assert view.convs == {"c2", "c3"} and view.ready.is_set()
    assert m.audience("c2") == {"ann"} and not m.is_member("ann", "c1")
    second, fresh = m.attach("ann")
    assert second is view and not fresh
    m.detach("ann")
    assert m.is_member("ann", "c3")
    m.detach("ann")
    assert m.audience("c3") == set() and "ann" not in m.users


def test_a_stale_seed_does_not_overwrite_a_newer_view():
    m = Memberships()
    old, _ = m.attach("ann")
    m.detach("ann")
    new, fresh = m.attach("ann")
    assert fresh
    m.seed("ann", old, ["c1"])
    assert new.convs is None  # still waiting for its own seed


async def test_the_outbox_drops_what_the_replay_sent_and_rechecks_membership():
    sent: list[str] = []
    members = {"c1"}

    async def send(text: str) -> None:
        sent.append(text)

    box = Outbox(send, 10, lambda c: c in members)
    box.event(5, "c1", "e5")
    box.event(6, "c1", "e6")
    box.frame("presence")
    box.event(7, "c2", "e7")
    box.go_live(5)
    box.event(8, "c1", "e8")
    members.discard("c1")  # removed before the writer got to it
    box.event(9, None, "e9")  # a per-user event: no membership check
    writer = asyncio.create_task(box.run())
    await asyncio.sleep(0.01)
    box.close(4000, "done")
    assert await writer == (4000, "done")
    assert sent == ["presence", "e9"]


async def test_a_removal_heard_after_a_frame_was_queued_stops_it_at_the_writer():
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    m = Memberships()
    view, _ = m.attach("ann")
    with pytest.raises(RuntimeError):
        m.check_of(view)  # not seeded yet
    m.seed("ann", view, ["c1", "c2"])
    box = Outbox(send, 10, m.check_of(view))
    box.go_live(0)
    box.event(1, "c1", "e1")
    box.event(2, "c2", "e2")
    m.changed("c1", "ann", joined=False)  # routed after e1 was queued
    m.changed("c3", "ann", joined=True)
    box.event(3, "c3", "e3")
    writer = asyncio.create_task(box.run())
    await asyncio.sleep(0.01)
    box.close(4000, "done")
    assert await writer == (4000, "done")
    assert sent == ["e2", "e3"]


async def test_an_outbox_that_overflows_asks_for_a_resync_and_closes():
    box = Outbox(lambda text: asyncio.sleep(0), 3, lambda c: True)
    box.go_live(0)
    for s in range(1, 5):
        box.event(s, None, f"e{s}")
    assert box.closing == (frames.CLOSE_TOO_SLOW, "too slow: resume with since")
    assert [text for _, _, text in box.items] == [frames.resync("too_slow", "You fell too far behind; reconnect with since.")]
    box.event(9, None, "late")
    assert len(box.items) == 1


@pytest.mark.parametrize(("raw", "code", "frame_id"), [
    ('{"type":"send","id":1,"conversation_id":"c","client_id":"ok","body":"x","kind":"bogus"}', "invalid_frame", 1),
    ('{"type":"presence","state":"away","id":true}', "invalid_frame", None),  # a bool is no id
    ("null", "invalid_json", None),
])
def test_frames_are_validated_strictly(raw, code, frame_id):
    with pytest.raises(frames.FrameError) as err:
        frames.parse(raw)
    assert err.value.code == code and err.value.frame_id == frame_id


def test_a_seed_older_than_a_change_heard_before_attach_is_corrected(monkeypatch):
    """A cached membership list can predate a removal the hub already heard
    (its invalidation lands a moment later): the recent changes win."""
    from chatd.realtime import membership

    now = [100.0]
    monkeypatch.setattr(membership.time, "monotonic", lambda: now[0])
    m = Memberships()
    m.changed("c1", "ann", joined=False)  # heard before ann attached
    m.changed("c3", "ann", joined=True)
    m.changed("c3", "bob", joined=True)
    view, fresh = m.attach("ann")
    assert fresh
    m.seed("ann", view, ["c1", "c2"])  # a cached answer from before both changes
    assert m.is_member("ann", "c2") and m.is_member("ann", "c3") and not m.is_member("ann", "c1")
    assert m.audience("c1") == set() and m.audience("c3") == {"ann"}
    now[0] += membership.RECENT_SECONDS + 1  # old changes are forgotten: a later seed is taken as it is
    m.changed("c9", "zed", joined=True)
    view, _ = m.attach("cy")
    m.seed("cy", view, ["c1"])
    assert m.is_member("cy", "c1") and [c for _, u, _, c in m.recent] == ["c9"]
