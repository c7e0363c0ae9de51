#!/usr/bin/env python3
"""Counts passed/failed unit tests of one `swift test --xunit-output FILE` run; prints "PASSED FAILED".

Swift Testing writes FILE-without-.xml + "-swift-testing.xml", XCTest writes FILE (only when it ran tests).
When no report exists (e.g. the test process crashed) the console log is counted instead. A non-zero exit
status with no failure found counts as one failure, so a crash can never pass.
"""

import argparse
import re
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path


def count_xunit(path):
    """(passed, failed) from one xunit file; skipped tests count as neither."""
    root = ElementTree.parse(path).getroot()
    passed = failed = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is None:
            passed += 1
    return passed, failed


def count_xctest_log(text):
    """(passed, failed) of the XCTest lines of swift test console output."""
    passed = len(re.findall(r"^Test Case '.*' passed \(", text, re.M))
    failed = len(re.findall(r"^Test Case '.*' failed \(", text, re.M))
    return passed, failed


def count_log(text):
    """(passed, failed) from swift test console output (Swift Testing and XCTest lines)."""
    passed = len(re.findall(r"^✔ Test (?!run with)\S.* passed after", text, re.M))
    failed = len(re.findall(r"^✘ Test (?!run with)\S.* failed after", text, re.M))
    xc_passed, xc_failed = count_xctest_log(text)
    return passed + xc_passed, failed + xc_failed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--xunit", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--exit-code", type=int, required=True)
    args = parser.parse_args()

    xunit = Path(args.xunit)
    reports = [p for p in (xunit, xunit.with_name(xunit.stem + "-swift-testing.xml")) if p.exists()]
    passed = failed = 0
    if reports:
        for report in reports:
            p, f = count_xunit(report)
            passed, failed = passed + p, failed + f
        if not xunit.exists():
            # XCTest wrote no report although Swift Testing did (swift 6.3 with both in one run): its tests are
            # counted from the console lines, so they are neither lost from the total nor their failures hidden.
            try:
                p, f = count_xctest_log(Path(args.log).read_text(errors="replace"))
                passed, failed = passed + p, failed + f
            except OSError:
                pass
    else:
        try:
            passed, failed = count_log(Path(args.log).read_text(errors="replace"))
        except OSError:
            pass
    if args.exit_code != 0 and failed == 0:
        failed = 1
        print(f"swift test exited {args.exit_code} without a counted failure; counting 1", file=sys.stderr)
    print(passed, failed)


if __name__ == "__main__":
    main()
