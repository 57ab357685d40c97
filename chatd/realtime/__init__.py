"""Real time: the WebSocket gateway, fan-out, presence and typing.

How an event reaches a socket:

1. A write commits; its adapter hands the EventNotes to the stores'
   committed-events port (storage/ports/events.py), which `Bus.publish_commit`
   listens to. It puts each on the bus, carried by the stores' fan-out
   (storage/ports/fanout.py: in-process memory by default; Redis pub/sub
   carries the same bytes between processes).
2. Every process's `Hub` hears the bus, puts events back into seq order
   (`Sequencer`: on PostgreSQL commit hand-offs may run out of order, and
   other processes' events interleave) and fills gaps from the log.
3. The hub routes each event to the local sockets allowed to see it NOW
   (`Memberships`, kept current from member events in that same ordered
   stream), into each socket's bounded `Outbox`.
4. A socket that resumes with `since` replays the log first (`Session`),
   with live events buffered meanwhile and de-duplicated by seq.

Presence and typing are ephemeral: they travel the same bus, never the log.
"""
