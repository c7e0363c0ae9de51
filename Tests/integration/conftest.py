"""Fixtures: real chatd processes on free 127.0.0.1 ports, always stopped, with exit status checked.

Run with `CHATD_BIN=.build/release/chatd .venv-tests/bin/pytest Tests/integration` (or `bash .ci/test.sh`).
"""

import os
import subprocess

import pytest
from chatd_harness import MIB, OWN_STATE_DIR, ChatdProcess, chatd_binary

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


@pytest.fixture(scope="session", autouse=True)
def isolated_state_environment(tmp_path_factory):
    """chatd started without a state directory (`run_chatd(...)` in test_cli.py, say) resolves one from the
    environment: point that at a throw-away directory, so no test ever opens ~/.local/state/chatd or a
    $STATE_DIRECTORY inherited from the shell (a developer's own chatd may be using it)."""
    saved = {name: os.environ.get(name) for name in ("STATE_DIRECTORY", "XDG_STATE_HOME")}
    os.environ.pop("STATE_DIRECTORY", None)
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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
    """Starts extra daemons with custom config for one test: `start(sections=..., extra_args=...)`.

    Each gets its own state directory unless `state_dir=` says otherwise; `daemon.restart()` keeps it.
    """
    started = []

    def start(sections=None, extra_args=(), name=None, wait_port=None, port=None, state_dir=OWN_STATE_DIR, env=None):
        label = name or f"{request.node.name}-{len(started)}"
        label = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)
        daemon = ChatdProcess(tmp_path, label, sections, extra_args, port=port, state_dir=state_dir, env=env)
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


def _unmount(path):
    """Unmounts `path` (lazily when something still holds it); returns a complaint or None."""
    result = subprocess.run(["umount", str(path)], capture_output=True, text=True, timeout=30)
    if result.returncode == 0:
        return None
    lazy = subprocess.run(["umount", "--lazy", str(path)], capture_output=True, text=True, timeout=30)
    if lazy.returncode == 0:
        return f"{path} was busy ({result.stderr.strip()}); unmounted lazily"
    return f"could not unmount {path}: {result.stderr.strip()} / {lazy.stderr.strip()}"


def require_root(why):
    """Skips the test when not root, unless CI=true, where it fails (CI must run every check)."""
    if os.geteuid() == 0:
        return
    message = f"needs root: {why}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: not skipped)")
    pytest.skip(message)


@pytest.fixture
def tmpfs(tmp_path):
    """Mounts small tmpfs file systems for one test: `tmpfs(name, size="2m", read_only=False)` → its path.

    Needs root (skipped otherwise, failed when CI=true). Every mount is unmounted after the test, also when it
    failed. Request this fixture before `chatd_factory` in the test's arguments, so the daemons are stopped
    before their state directory goes away (a busy mount is unmounted lazily, and the test fails).
    """
    mounted = []

    def mount(name, size="2m", read_only=False):
        require_root("mounts a tmpfs (mount -t tmpfs)")
        path = tmp_path / name
        path.mkdir(parents=True, exist_ok=True)
        options = f"size={size},mode=0755" + (",ro" if read_only else "")
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "chatd-test", str(path)], capture_output=True, text=True, timeout=30
        )
        if result.returncode != 0:
            pytest.fail(f"mount -t tmpfs -o {options} {path} failed: {result.stderr.strip()}")
        mounted.append(path)
        return path

    try:
        yield mount
    finally:
        problems = [problem for problem in (_unmount(path) for path in reversed(mounted)) if problem]
        assert not problems, "; ".join(problems)
