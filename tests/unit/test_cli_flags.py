"""`chatd flags list|set` as an admin uses it: a real subprocess on a data dir."""

from __future__ import annotations

from tests.unit.test_cli import chatd


def test_flags_list_and_set(tmp_path):
    listed = chatd("flags", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert set(lines) == {"e2ee", "e2ee_default", "search", "graphql"}
    assert " off " in lines["graphql"] and "(config)" in lines["graphql"]

    done = chatd("flags", "set", "graphql", "25%", "--users", "ann,bob", "--roles", "admin", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "25%" in done.stdout and "+users=ann,bob +roles=admin" in done.stdout
    # Stored: another process (a restart) sees it.
    again = {line.split()[0]: line for line in chatd("flags", "list", cwd=tmp_path).stdout.splitlines()}
    assert "25%" in again["graphql"] and "(runtime)" in again["graphql"]


def test_flags_set_refuses_bad_input_with_one_line(tmp_path):
    for args, code, words in [(["graphql", "sometimes"], 2, "expected on, off or a percentage"),
                              (["graphql", "150%"], 2, "expected on, off or a percentage"),
                              (["teleport", "on"], 1, "No feature flag is named 'teleport'"),
                              (["graphql", "on", "--roles", "wizard"], 1, "Unknown roles: wizard")]:
        result = chatd("flags", "set", *args, cwd=tmp_path)
        assert result.returncode == code and words in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
