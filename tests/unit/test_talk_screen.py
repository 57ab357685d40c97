"""The talk screen on a real pseudo-terminal."""
import asyncio
import os
import pty

from chatd.talk.screen import Screen


async def test_keys_typed_before_the_screen_starts_are_kept():
    # Someone types while history is still loading: the terminal is still in
    # line mode, so the keys wait in its buffer. Switching to key-by-key mode
    # must not throw them away (tty.setcbreak's default flushes input).
    master, slave = pty.openpty()
    try:
        os.write(master, b"sure")
        await asyncio.sleep(0.05)
        keys: list[str] = []
        with open(slave, "r", closefd=False) as stdin, open(slave, "w", closefd=False) as stdout:
            screen = Screen(on_line=lambda line: None, on_key=lambda: keys.append("k"), stdin=stdin, stdout=stdout)
            screen.start()
            try:
                for _ in range(50):
                    if screen.buffer == "sure":
                        break
                    await asyncio.sleep(0.02)
            finally:
                screen.stop()
        assert screen.buffer == "sure"
        assert len(keys) == 4
    finally:
        os.close(master)
        os.close(slave)
