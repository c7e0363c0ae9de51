#!/usr/bin/env python3
"""Prints "PASSED FAILED" for a pytest --junitxml report; usage: count_junit.py REPORT PYTEST_EXIT_CODE.

Errors (fixture failures) count as failures. A non-zero pytest exit with nothing failed (e.g. exit 5, no tests
collected, or a crash before the report was written) counts as one failure.
"""

import sys
import xml.etree.ElementTree as ElementTree


def main():
    report, exit_code = sys.argv[1], int(sys.argv[2])
    passed = failed = 0
    try:
        root = ElementTree.parse(report).getroot()
        for case in root.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is None:
                passed += 1
    except (OSError, ElementTree.ParseError) as error:
        print(f"cannot read {report}: {error}", file=sys.stderr)
    if exit_code != 0 and failed == 0:
        failed = 1
    print(passed, failed)


if __name__ == "__main__":
    main()
