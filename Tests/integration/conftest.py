"""Fixtures: real chatd processes on free 127.0.0.1 ports, always stopped, with exit status checked.

Run with `CHATD_BIN=.build/release/chatd .venv-tests/bin/pytest Tests/integration` (or `bash .ci/test.sh`).
"""

import pytest
from chatd_harness import MIB, ChatdProcess, chatd_binary

# Shared-daemon settings: an allowed cross-origin page so the Origin tests have something to accept,
# and room for the 16 MiB echo test plus an exact, small limit on a separate daemon (see test_echo.py).
DEFAULT_SECTIONS = {
    "limits": {"max_message_bytes": 16 * MIB + 64 * 1024, "max_outbound_bytes": 64 * MIB},
    "http": {"allowed_origins": ["https://chat.example.com"]},
}


def pytest_sessionstart(session):
    """Stops at once with one clear message when there is no daemon to test."""
    binary = chatd_binary()
    if not binary.is_file():
        pytest.exit(f"chatd binary not found at {binary}: build it or set CHATD_BIN", returncode=1)


def pytest_report_header(config):
    """Shows which binary is under test at the top of the run."""
    return f"chatd under test: {chatd_binary()}"


def _stop_and_check(daemon):
    """Stops `daemon` and fails the test if it had crashed or did not exit 0 on SIGTERM."""
    was_alive = daemon.alive()
    status = daemon.stop()
    assert was_alive, f"chatd {daemon.name} died during the test (status {status}):\n{daemon.log_tail()}"
    assert status == 0, f"chatd {daemon.name} exited with {status} on SIGTERM (expected 0):\n{daemon.log_tail()}"


def merged_sections(base, extra):
    """`base` with the tables of `extra` merged in key by key (neither argument is modified)."""
    merged = {table: dict(keys) for table, keys in base.items()}
    for table, keys in (extra or {}).items():
        merged.setdefault(table, {}).update(keys)
    return merged


@pytest.fixture(scope="module")
def chatd(request, tmp_path_factory):
    """One daemon shared by every test of a module (tests use their own room names).

    A module may set `CHATD_SECTIONS = {"chat": {...}}` to add or override config keys for its daemon.
    """
    name = request.module.__name__.rsplit(".", 1)[-1]
    sections = merged_sections(DEFAULT_SECTIONS, getattr(request.module, "CHATD_SECTIONS", None))
    daemon = ChatdProcess(tmp_path_factory.mktemp(name), name, sections)
    try:
        daemon.start()
        yield daemon
    finally:
        if daemon.process is not None:
            _stop_and_check(daemon)


@pytest.fixture
def chatd_factory(request, tmp_path):
    """Starts extra daemons with custom config for one test: `start(sections=..., extra_args=...)`."""
    started = []

    def start(sections=None, extra_args=(), name=None, wait_port=None, port=None):
        label = name or f"{request.node.name}-{len(started)}"
        label = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)
        daemon = ChatdProcess(tmp_path, label, sections, extra_args, port=port)
        started.append(daemon)
        return daemon.start(wait_port=wait_port)

    try:
        yield start
    finally:
        errors = []
        for daemon in started:
            if daemon.process is None or daemon.returncode is not None:
                daemon.stop()
                continue
            try:
                _stop_and_check(daemon)
            except AssertionError as error:
                errors.append(str(error))
        assert not errors, "\n".join(errors)
