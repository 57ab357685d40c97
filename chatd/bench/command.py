"""The `chatd bench` flags and the entry point the CLI calls.

Defaults are the targets of issue 3 on a 2-core machine with SQLite:
200 clients sending 3,000 messages/s (p99 end-to-end < 20 ms), one message
to a 1,000-member group (< 100 ms to the last member), 5,000 idle sockets;
plus the history budget: a page of 50 in a fraction of a send's ~1 ms of
server CPU. The soak (200 clients at 1,000 messages/s, RSS and p99 flat)
runs only when named: `--scenarios soak [--soak-duration 600]`.
Issue 14's instruments: `rest` (server CPU per durable REST send, 8 in
flight), `hot` (16 senders into one conversation, every ack checked
afterwards), `slowdisk` (fsync delayed by an LD_PRELOAD shim: group commit
against one commit per request) and `--profile` (py-spy over each measured
window, a summary by request step).
"""

from __future__ import annotations

import argparse

SCENARIOS = ("throughput", "fanout", "idle", "history", "media", "graphql", "soak", "rest", "hot", "slowdisk")
DEFAULT_SCENARIOS = ["throughput", "fanout", "idle", "history", "media", "graphql", "rest", "hot",
                     "slowdisk"]  # soak only when asked: it is long


def _scenarios(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SCENARIOS)} (comma-separated)")
    return names


def _at_least(low: int):
    def parse(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"at least {low}")
        return value

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_argument_group("target")
    target.add_argument("--url", help="bench a running server (loopback only) instead of starting one")
    target.add_argument("--pid", type=int, help="with --url: the server's process id, to report its RSS and CPU")
    target.add_argument("--database", help="with no --url: storage.database of the started server "
                        "(default: SQLite in a temporary directory)")
    target.add_argument("--messages", help="with no --url: storage.messages of the started server, e.g. "
                        "mongodb://127.0.0.1:27017/chatd_bench (default: database); use a database of its own")
    target.add_argument("--processes", type=_at_least(1), default=1,
                        help="with no --url: chatd processes to start on one deployment (default 1); more than one "
                             "needs --database postgresql://... and uses --cache or a redis-server started here; "
                             "the throughput scenario puts each conversation's members on different processes")
    target.add_argument("--cache", help="with no --url: storage.cache of the started servers, e.g. "
                        "redis://127.0.0.1:6379/0 (default: memory, or a private redis-server with --processes > 1)")
    target.add_argument("--keep", action="store_true", help="keep the temporary data directory and server log")
    parser.add_argument("--scenarios", type=_scenarios, default=list(DEFAULT_SCENARIOS), metavar="LIST",
                        help=f"comma-separated subset of {','.join(SCENARIOS)} "
                             f"(default: {','.join(DEFAULT_SCENARIOS)})")

    load = parser.add_argument_group("throughput scenario")
    load.add_argument("--clients", type=int, default=200, help="WebSocket clients, one user each (default 200)")
    load.add_argument("--conversations", type=int, default=100,
                      help="conversations the clients are spread over (default 100: pairs)")
    load.add_argument("--rate", type=float, default=3000.0, help="target messages per second, all clients (default 3000)")
    load.add_argument("--duration", type=float, default=10.0, help="measured seconds (default 10)")
    load.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring (default 2)")
    load.add_argument("--max-in-flight", type=int, default=2000,
                      help="unacknowledged sends allowed at once; beyond it sends are skipped and counted (default 2000)")

    fan = parser.add_argument_group("fan-out scenario")
    fan.add_argument("--group-size", type=int, default=1000, help="members of the big group, each on a socket (default 1000)")
    fan.add_argument("--fanout-messages", type=int, default=5, help="messages sent to the group, one at a time (default 5)")

    idle = parser.add_argument_group("idle scenario")
    idle.add_argument("--idle-sockets", type=int, default=5000, help="idle WebSockets to open and hold (default 5000)")
    idle.add_argument("--idle-users", type=int, default=1000,
                      help="users owning them, several devices each (default 1000)")
    idle.add_argument("--idle-hold", type=float, default=5.0, help="seconds to hold them open (default 5)")
    idle.add_argument("--idle-after", type=float, default=30.0,
                      help="seconds after the close at which the server's RSS is read again (default 30)")

    hist = parser.add_argument_group("history scenario")
    hist.add_argument("--history-messages", type=_at_least(50), default=5000,
                      help="messages in the conversation scrolled back through (50 or more, default 5000)")
    hist.add_argument("--history-readers", type=int, default=4, help="readers fetching pages at once (default 4)")
    hist.add_argument("--history-duration", type=float, default=5.0, help="seconds of reading (default 5)")

    media = parser.add_argument_group("media scenario")
    media.add_argument("--media-mb", type=_at_least(1), default=200,
                       help="size of the file uploaded and downloaded, in MB (default 200)")
    media.add_argument("--thumbnail-requests", type=_at_least(1), default=500,
                       help="thumbnail fetches measured after the first (default 500)")

    gql = parser.add_argument_group("graphql scenario")
    gql.add_argument("--graphql-conversations", type=_at_least(1), default=50,
                     help="conversations on the listed screen (default 50)")
    gql.add_argument("--graphql-rounds", type=_at_least(1), default=200,
                     help="screens fetched each way, GraphQL and REST (default 200)")

    soak = parser.add_argument_group("soak scenario (--scenarios soak)")
    soak.add_argument("--soak-clients", type=int, default=200, help="WebSocket clients, in pairs (default 200)")
    soak.add_argument("--soak-rate", type=float, default=1000.0, help="messages per second, all clients (default 1000)")
    soak.add_argument("--soak-duration", type=float, default=60.0,
                      help="measured seconds (default 60; 600 for the 10-minute soak)")
    soak.add_argument("--soak-sample", type=float, default=5.0, help="seconds between RSS samples (default 5)")

    rest = parser.add_argument_group("rest scenario (durable REST sends, light keep-alive client)")
    rest.add_argument("--rest-in-flight", type=_at_least(1), default=8,
                      help="sends in flight into one conversation of two (default 8)")
    rest.add_argument("--rest-duration", type=float, default=5.0, help="measured seconds (default 5)")
    rest.add_argument("--rest-warmup", type=float, default=1.0, help="seconds of sends before measuring (default 1)")

    hot = parser.add_argument_group("hot scenario (one conversation, many senders)")
    hot.add_argument("--hot-senders", type=_at_least(1), default=16,
                     help="members each keeping one durable REST send in flight into one group (default 16; "
                          "also the slowdisk scenario's senders)")
    hot.add_argument("--hot-transport", choices=("rest", "ws"), default="rest",
                     help="rest: POST /messages over light keep-alive connections (default); ws: send frames, "
                          "each sender's socket also receiving every message of the group")
    hot.add_argument("--hot-duration", type=float, default=5.0, help="measured seconds (default 5)")
    hot.add_argument("--hot-warmup", type=float, default=1.0, help="seconds of sends before measuring (default 1)")

    slow = parser.add_argument_group("slowdisk scenario (fsync delayed in the server process; needs cc)")
    slow.add_argument("--fsync-delay-ms", type=float, default=3.0,
                      help="delay added to every fsync/fdatasync of its own server (default 3: an SD card's 1-5 ms)")
    slow.add_argument("--slow-duration", type=float, default=3.0,
                      help="measured seconds of each of its three phases (default 3)")

    prof = parser.add_argument_group("profile")
    prof.add_argument("--profile", action="store_true",
                      help="sample the server with py-spy during each measured window (rest, hot, history) "
                           "and write a summary by request step; its path is printed (needs chatd[bench]; with --url, "
                           "a server not run as root needs server.memory_dumps = true for py-spy to attach)")
    prof.add_argument("--profile-dir", metavar="DIR",
                      help="where the profile summary and raw samples go (default: a new temporary directory)")

    out = parser.add_argument_group("output")
    out.add_argument("--json", nargs="?", const="-", metavar="PATH",
                     help="also write the results as JSON to PATH (or stdout with no PATH)")
    out.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    from chatd.bench.runner import main

    return main(args)
