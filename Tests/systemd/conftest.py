"""Fixtures for the real-systemd test: one booted bookworm container with chatd installed, shared by every test.

Run through `bash Tests/systemd/run.sh` (builds/caches the tree, needs root). Environment:
  CHATD_STATIC_BIN       chatd built with --static-swift-stdlib (required)
  CHATD_NSPAWN_TREE      cached tree (default /var/cache/chatd-nspawn/bookworm, built by nspawn-tree.sh)
  CHATD_SYSTEMD_RUN_DIR  this run's overlay directory (default /var/tmp/chatd-systemd-test/run-PID)
  CHATD_SYSTEMD_ARTIFACTS  where the container's journal is saved after the run
"""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from machine import MachineError, NspawnMachine

REPO = Path(__file__).resolve().parents[2]
TREE = Path(os.environ.get("CHATD_NSPAWN_TREE", "/var/cache/chatd-nspawn/bookworm"))
RUN_BASE = Path(os.environ.get("CHATD_SYSTEMD_RUN_DIR", "/var/tmp/chatd-systemd-test"))
ARTIFACTS = Path(os.environ.get("CHATD_SYSTEMD_ARTIFACTS", REPO / "Tests/integration/.artifacts/systemd"))
# The watchdog interval the test drop-in sets (short, so a stall is caught within seconds).
WATCHDOG_SEC = 3
CONFIG = "/etc/chatd/chatd.toml"


def static_binary():
    """The chatd binary under test (built with --static-swift-stdlib)."""
    return Path(os.environ.get("CHATD_STATIC_BIN", REPO / ".build-static/release/chatd"))


def free_port():
    """A free TCP port on 127.0.0.1 (the container shares the host's network namespace)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def journal_message_ids():
    """chatd's MESSAGE_IDs by name, read from the daemon's source so the test follows it."""
    source = (REPO / "Sources/ChatServer/Systemd/JournalMessageID.swift").read_text()
    return dict(re.findall(r'static let (\w+) = "([0-9a-f]{32})"', source))


def pytest_sessionstart(session):
    """Fails the whole run at once, with one clear line, when it cannot work at all."""
    problems = []
    if os.geteuid() != 0:
        problems.append("must run as root (mounts an overlay, boots systemd-nspawn)")
    if not static_binary().is_file():
        problems.append(f"no chatd binary at {static_binary()} (set CHATD_STATIC_BIN)")
    if not (TREE / ".chatd-tree-stamp").is_file():
        problems.append(f"no cached tree at {TREE} (run Tests/systemd/nspawn-tree.sh)")
    if problems:
        pytest.exit("real-systemd test cannot run: " + "; ".join(problems), returncode=1)
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    """SIGTERM (CI cancelling the job, run.sh's trap) unwinds like Ctrl-C, so the fixture stops the container."""
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_report_header(config):
    """Shows what is under test."""
    return f"chatd under test: {static_binary()}; tree: {TREE}"


def write_test_dropins(machine, port):
    """The test's own settings: the socket and the config on a free port, and a short watchdog."""
    machine.write_file(
        "/etc/systemd/system/chatd.socket.d/50-test.conf",
        f"# real-systemd test: a free loopback port\n[Socket]\nListenStream=\nListenStream=127.0.0.1:{port}\n",
    )
    machine.write_file(
        "/etc/systemd/system/chatd.service.d/50-test.conf",
        f"# real-systemd test: a stalled loop is caught within seconds\n[Service]\nWatchdogSec={WATCHDOG_SEC}s\n",
    )
    config = machine.path(CONFIG)
    text = config.read_text()
    text, count = re.subn(r"(?m)^listen = .*$", f'listen = ["127.0.0.1:{port}"]', text, count=1)
    if count != 1:
        raise MachineError(f"no `listen = ` line in {CONFIG} to point at the test port")
    config.write_text(text)


def save_journal(machine):
    """Copies the container's journal (short-monotonic and chatd's JSON entries) into the artifacts directory."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, args in (
        ("journal.txt", ["journalctl", "-b", "-o", "short-monotonic", "--no-pager"]),
        ("chatd-journal.json", ["journalctl", "-u", "chatd.service", "-u", "chatd.socket", "-o", "json", "--no-pager"]),
    ):
        try:
            result = machine.run(*args, check=False, timeout=30)
            (ARTIFACTS / name).write_text(result.stdout)
        except (MachineError, subprocess.SubprocessError, OSError) as error:
            (ARTIFACTS / name).write_text(f"could not read the journal: {error}\n")


@pytest.fixture(scope="session")
def machine():
    """The booted container with the bundle installed (not started); always stopped and cleaned up."""
    run_dir = Path(os.environ.get("CHATD_SYSTEMD_RUN_DIR", f"{RUN_BASE}/run-{os.getpid()}"))
    machine = NspawnMachine(TREE, run_dir, f"chatd-test-{os.getpid()}")
    machine.port = free_port()
    machine.message_ids = journal_message_ids()
    timings = {}
    try:
        started = time.monotonic()
        machine.root_kind = machine.prepare_root()
        subprocess.run(
            [str(REPO / "systemd/install.sh"), "--root", str(machine.root), "--no-build", str(static_binary())],
            check=True,
            timeout=120,
        )
        write_test_dropins(machine, machine.port)
        timings["prepare"] = time.monotonic() - started
        started = time.monotonic()
        state = machine.boot()
        timings["boot"] = time.monotonic() - started
        print(
            f"\nmachine {machine.name}: root on {machine.root_kind} ({machine.root}), system {state}, "
            f"leader pid {machine.leader}, port {machine.port}; "
            f"prepare {timings['prepare']:.1f}s, boot {timings['boot']:.1f}s"
        )
        yield machine
    finally:
        if machine.leader is not None:
            save_journal(machine)
        print(f"\nmachine {machine.name}: {machine.stop()}")
        machine.cleanup()


_RESULTS = []


def pytest_runtest_logreport(report):
    """Collects each check's outcome and time (setup + call + teardown) for the summary table."""
    if report.when == "setup" or not _RESULTS or _RESULTS[-1][0] != report.nodeid:
        _RESULTS.append([report.nodeid, "passed", 0.0])
    entry = _RESULTS[-1]
    entry[2] += report.duration
    if report.failed:
        entry[1] = "FAILED" if report.when == "call" else f"ERROR ({report.when})"
    elif report.skipped and entry[1] == "passed":
        entry[1] = "skipped"


def pytest_terminal_summary(terminalreporter):
    """Prints one line per check with its result and time, then `N passed, N failed`."""
    terminalreporter.section("real-systemd checks")
    for nodeid, outcome, seconds in _RESULTS:
        terminalreporter.write_line(f"{outcome:<8} {seconds:6.2f}s  {nodeid.rsplit('::', 1)[-1]}")
    passed = sum(1 for _, outcome, _ in _RESULTS if outcome == "passed")
    failed = sum(1 for _, outcome, _ in _RESULTS if outcome not in ("passed", "skipped"))
    terminalreporter.write_line(f"{passed} passed, {failed} failed")
