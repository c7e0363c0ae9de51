"""Browser-test setup: reuse the integration harness (Tests/integration/chatd_harness.py) for the daemon."""

import sys
from pathlib import Path

import pytest

INTEGRATION_DIR = Path(__file__).resolve().parents[1] / "integration"
sys.path.insert(0, str(INTEGRATION_DIR))

from chatd_harness import chatd_binary  # noqa: E402  (needs the sys.path entry above)


def pytest_sessionstart(session):
    """Stops at once with one clear message when there is no daemon to test."""
    binary = chatd_binary()
    if not binary.is_file():
        pytest.exit(f"chatd binary not found at {binary}: build it or set CHATD_BIN", returncode=1)


def pytest_report_header(config):
    """Shows which binary and browser are under test at the top of the run."""
    return f"chatd under test: {chatd_binary()}"
