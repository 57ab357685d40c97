"""migrate-data's progress: a redrawn bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io

from chatd.commands.data_progress import DataBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_redraws_one_line() -> None:
    out = Terminal()
    bar = DataBar(out)
    bar.start("messages", 200, 0)
    bar.advance(100)
    bar.shown = 0  # let the next draw through at once
    bar.advance(100)
    bar.finish()
    text = out.getvalue()
    assert "\r\x1b[Kmessages" in text and "[" + "#" * 30 + "] 200/200" in text
    assert text.endswith("messages: 200 of 200 rows copied (0.0 s)\n")


def test_plain_lines_in_a_log_and_resume_said() -> None:
    out = io.StringIO()
    bar = DataBar(out)
    bar.start("events", 5000, 3000)
    bar.shown = 0
    bar.advance(1000)
    bar.finish()
    lines = out.getvalue().splitlines()
    assert lines == ["events: resuming after 3,000 rows already copied", "events: 4,000 of 5,000 rows",
                     lines[2]] and lines[2].startswith("events: 4,000 of 5,000 rows copied")
    assert "\r" not in out.getvalue()
