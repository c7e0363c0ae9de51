"""Self-test of .ci/autobahn_check.py: the Autobahn verdict must fail on anything but a complete, clean run."""

import json
import subprocess
import sys

from chatd_harness import REPO_ROOT

CHECKER = REPO_ROOT / ".ci" / "autobahn_check.py"


def check(tmp_path, results, expected):
    """Runs the checker on a synthetic index.json → (exit code, stdout, counts file text)."""
    index = {"chatd": {}}
    for case_id, (behavior, behavior_close) in results.items():
        report = f"chatd_case_{case_id.replace('.', '_')}.json"
        index["chatd"][case_id] = {
            "behavior": behavior,
            "behaviorClose": behavior_close,
            "duration": 1,
            "remoteCloseCode": 1000,
            "reportfile": report,
        }
        (tmp_path / report).write_text(json.dumps({"description": f"case {case_id}", "result": "r"}))
    (tmp_path / "index.json").write_text(json.dumps(index))
    counts = tmp_path / "counts.txt"
    result = subprocess.run(
        [sys.executable, str(CHECKER), "--index", str(tmp_path / "index.json"), "--agent", "chatd"]
        + ["--expected", str(expected), "--counts-out", str(counts)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return result.returncode, result.stdout, counts.read_text().split()


def test_clean_run_passes(tmp_path):
    code, out, counts = check(tmp_path, {"1.1.1": ("OK", "OK"), "6.4.1": ("INFORMATIONAL", "INFORMATIONAL")}, 2)
    assert code == 0, out
    assert counts == ["2", "0"]
    assert "autobahn: 2 cases, 2 OK/INFORMATIONAL, 0 failed" in out


def test_non_strict_and_failed_cases_fail(tmp_path):
    results = {"1.1.1": ("OK", "OK"), "6.4.1": ("NON-STRICT", "OK"), "7.1.5": ("OK", "WRONG CODE")}
    code, out, counts = check(tmp_path, results, 3)
    assert code == 1
    assert counts == ["1", "2"]
    assert "FAIL case 6.4.1" in out and "FAIL case 7.1.5" in out
    assert "description: case 6.4.1" in out


def test_missing_cases_fail(tmp_path):
    code, out, counts = check(tmp_path, {"1.1.1": ("OK", "OK")}, 301)
    assert code == 1
    assert counts == ["1", "300"]
    assert "expected 301 cases" in out
