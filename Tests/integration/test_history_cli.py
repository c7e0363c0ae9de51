"""Where chatd keeps room history (issue 10): the state directory (`--state-dir`, else $STATE_DIRECTORY, else
$XDG_STATE_HOME/chatd, else ~/.local/state/chatd), `[history] path`, and `--check-config` printing the result.

Each case is checked twice: `--check-config` must print the resolved database path (without creating it), and a
running daemon must really create its SQLite database there.
"""

import subprocess

import pytest
from chatd_harness import ChatdProcess, chatd_binary
from v1client import recv_type, say, v1_join
from wsclient import run

HISTORY_FILE = "history.sqlite3"
SQLITE_MAGIC = b"SQLite format 3\x00"


def check_config(daemon):
    """`chatd --config FILE [--state-dir DIR] --check-config`; returns stdout (exit status must be 0)."""
    daemon.args.append("--check-config")
    try:
        result = daemon.run_until_exit(timeout=10)
    finally:
        daemon.args.pop()
    assert result.returncode == 0, f"--check-config exited {result.returncode}: {result.stderr}"
    return result.stdout


def store_one_message(daemon):
    """Runs the daemon, stores one message, stops it (exit 0)."""
    daemon.start()
    try:

        async def scenario():
            member = await v1_join(daemon.url, "where", "writer")
            await say(member.ws, "kept somewhere")
            await recv_type(member.ws, "message", text="kept somewhere")
            await member.ws.close()

        run(scenario())
    finally:
        status = daemon.stop()
    assert status == 0, daemon.log_tail()


def test_help_documents_the_state_dir_flag():
    result = subprocess.run([str(chatd_binary()), "--help"], capture_output=True, text=True, timeout=10)
    assert "--state-dir" in result.stdout + result.stderr, "chatd --help does not mention --state-dir"


CASES = [
    "flag",
    "flag beats STATE_DIRECTORY",
    "STATE_DIRECTORY (first entry)",
    "XDG_STATE_HOME",
    "HOME",
    "[history] path, absolute",
    "[history] path, relative to the state directory",
]


def resolution_cases(tmp_path):
    """{label: (ChatdProcess keyword arguments, expected database path)} for each way of naming the place."""
    home = tmp_path / "home"
    home.mkdir()
    cases = [
        ("flag", {"state_dir": tmp_path / "flag-dir"}, tmp_path / "flag-dir" / HISTORY_FILE),
        (
            "flag beats STATE_DIRECTORY",
            {"state_dir": tmp_path / "flag-dir2", "env": {"STATE_DIRECTORY": tmp_path / "unused"}},
            tmp_path / "flag-dir2" / HISTORY_FILE,
        ),
        (
            "STATE_DIRECTORY (first entry)",
            {"state_dir": None, "env": {"STATE_DIRECTORY": f"{tmp_path / 'systemd-dir'}:{tmp_path / 'other'}"}},
            tmp_path / "systemd-dir" / HISTORY_FILE,
        ),
        (
            "XDG_STATE_HOME",
            {"state_dir": None, "env": {"STATE_DIRECTORY": None, "XDG_STATE_HOME": tmp_path / "xdg"}},
            tmp_path / "xdg" / "chatd" / HISTORY_FILE,
        ),
        (
            "HOME",
            {"state_dir": None, "env": {"STATE_DIRECTORY": None, "XDG_STATE_HOME": None, "HOME": home}},
            home / ".local" / "state" / "chatd" / HISTORY_FILE,
        ),
        (
            "[history] path, absolute",
            {"state_dir": tmp_path / "flag-dir3", "sections": {"history": {"path": str(tmp_path / "abs" / "h.db")}}},
            tmp_path / "abs" / "h.db",
        ),
        (
            "[history] path, relative to the state directory",
            {"state_dir": tmp_path / "flag-dir4", "sections": {"history": {"path": "rooms.db"}}},
            tmp_path / "flag-dir4" / "rooms.db",
        ),
    ]
    assert [label for label, _, _ in cases] == CASES
    return {label: (options, expected) for label, options, expected in cases}


@pytest.mark.parametrize("label", CASES)
def test_check_config_prints_the_history_path_and_the_daemon_uses_it(tmp_path, label):
    options, expected = resolution_cases(tmp_path)[label]
    sections = options.pop("sections", {})
    daemon = ChatdProcess(tmp_path, f"where-{CASES.index(label)}", sections, **options)
    stdout = check_config(daemon)
    assert str(expected) in stdout, f"{label}: --check-config does not print {expected}:\n{stdout}"
    assert not expected.exists(), f"{label}: --check-config created {expected}"
    store_one_message(daemon)
    assert expected.is_file(), f"{label}: the daemon did not create {expected}"
    assert expected.read_bytes()[:16] == SQLITE_MAGIC, f"{label}: {expected} is not an SQLite database"
    print(f"\n{label}: {stdout.strip()}")


def test_memory_store_writes_nothing(tmp_path):
    """`[history] store = "memory"`: --check-config names no database file, and the daemon creates none."""
    daemon = ChatdProcess(tmp_path, "memory", {"history": {"store": "memory"}})
    stdout = check_config(daemon)
    assert HISTORY_FILE not in stdout and str(daemon.state_dir) not in stdout, stdout
    store_one_message(daemon)
    assert not list(daemon.state_dir.iterdir()), f"memory store wrote {list(daemon.state_dir.iterdir())}"
