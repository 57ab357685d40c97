"""`chatd bench`: load-test a chatd server and report what it sustains.

`add_arguments(parser)` declares the flags, `run(args)` runs the scenarios and
returns the exit code. Heavy imports wait until `run`: the `chatd` command
builds this parser for every subcommand.
"""

from chatd.bench.command import add_arguments, run

__all__ = ["add_arguments", "run"]
