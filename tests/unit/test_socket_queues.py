"""A held socket's two queues: the inbox (receiver -> reader) and the
outbox's writer, what they guarantee and what they cost while idle."""

from __future__ import annotations

import asyncio
import tracemalloc

from chatd.realtime.inbox import RANG, Inbox
from chatd.realtime.outbox import Outbox


async def test_a_get_cut_off_by_a_timer_loses_nothing_put_after_it():
    inbox = Inbox(4)
    try:
        async with asyncio.timeout(0.01):
            await inbox.get()
    except TimeoutError:
        pass
    inbox.put_nowait("a")
    await inbox.put("b")
    assert [await inbox.get(), inbox.get_nowait()] == ["a", "b"]
    assert inbox.empty()


async def test_the_alarm_rings_a_waiting_get_and_a_later_deadline_moves_no_timer():
    loop = asyncio.get_running_loop()
    inbox = Inbox(4)
    now = loop.time()
    inbox.alarm(now + 0.02)
    timer = inbox._alarm
    for later in (0.05, 0.5, 5.0):  # a frame moved the idle deadline: the timer stays as it is
        inbox.alarm(now + later)
        assert inbox._alarm is timer
    assert await asyncio.wait_for(inbox.get(), 1) is RANG
    assert loop.time() >= now + 0.02
    inbox.put_nowait("a")  # nothing lost around a ring, and one ring answers one get
    assert await inbox.get() == "a"
    inbox.alarm(loop.time() + 5.0)
    inbox.alarm(loop.time() + 0.01)  # an earlier deadline replaces the later one
    assert await asyncio.wait_for(inbox.get(), 1) is RANG
    inbox.alarm(loop.time() + 0.01)
    inbox.put_nowait("b")  # what came before the ring is what a get returns
    assert await inbox.get() == "b"
    inbox.close()
    await asyncio.sleep(0.03)
    inbox.put_nowait("c")
    assert await inbox.get() == "c"  # closed: the alarm did not ring


async def test_a_full_inbox_holds_the_receiver_until_the_reader_takes_one():
    inbox = Inbox(2)
    await inbox.put("a")
    await inbox.put("b")
    third = asyncio.create_task(inbox.put("c"))
    await asyncio.sleep(0)
    assert not third.done() and inbox.full()
    assert await inbox.get() == "a"
    await asyncio.wait_for(third, 1)
    assert [await inbox.get(), await inbox.get()] == ["b", "c"]


async def test_a_waiting_writer_wakes_for_a_frame_and_tells_of_a_close_once():
    sent: list[str] = []

    async def send(text: str) -> None:
        sent.append(text)

    box = Outbox(send, 10, lambda c: True)
    box.go_live(0)
    closes: list[int] = []
    box.on_close = lambda: closes.append(1)
    writer = asyncio.create_task(box.run())
    await asyncio.sleep(0)  # waiting now, nothing queued
    box.frame("one")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert sent == ["one"]
    box.close(4000, "bye", final="last")
    box.close(4001, "again")
    assert await asyncio.wait_for(writer, 1) == (4000, "bye")
    assert sent == ["one", "last"] and closes == [1]


async def test_an_idle_sockets_queues_and_their_waiting_tasks_stay_small():
    """What 10,000 held sockets pay for their queues while nothing happens
    (issue 14): an asyncio.Queue and two Events made six deques up front,
    7.8 KB a socket with the waiting tasks; now 3.1 KB."""
    n = 200
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pairs = [(Inbox(64), Outbox(asyncio.sleep, 2000, lambda c: True)) for _ in range(n)]
        tasks = []
        for inbox, box in pairs:
            box.go_live(0)
            tasks += [asyncio.create_task(inbox.get()), asyncio.create_task(box.run())]
        await asyncio.sleep(0)
        per_socket = (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert per_socket < 4500, per_socket
