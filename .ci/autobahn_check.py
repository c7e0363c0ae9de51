#!/usr/bin/env python3
"""Strict verdict on an Autobahn|Testsuite fuzzingclient run.

wstest itself always exits 0, even when cases failed or the server died half-way, so this reads
index.json and fails unless:
  * every case's `behavior` and `behaviorClose` are OK or INFORMATIONAL
    (NON-STRICT, WRONG CODE, UNCLEAN, FAILED, UNIMPLEMENTED, ... all count as failures), and
  * the number of cases reported equals the number expected (missing cases count as failures).

Prints `autobahn: N cases, N OK/INFORMATIONAL, N failed`, lists each failing case with its description,
expectation and result, and writes "PASSED FAILED" to --counts-out for the aggregate summary.
"""

import argparse
import json
import os
import sys

ACCEPTED = {"OK", "INFORMATIONAL"}


def case_sort_key(case_id):
    """Orders "9.10.2" after "9.2.1" (numeric, not lexicographic)."""
    return [int(part) if part.isdigit() else part for part in case_id.split(".")]


def load_case_report(index_dir, entry):
    """The per-case JSON report (description, expectation, result), or {} when it is unreadable."""
    report_file = entry.get("reportfile")
    if not report_file:
        return {}
    try:
        with open(os.path.join(index_dir, report_file), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def shorten(text, limit=300):
    """Keeps failure listings readable when a result quotes a 16 MiB payload."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="path to the run's index.json")
    parser.add_argument("--agent", required=True, help="agent name used in spec.json")
    parser.add_argument("--expected", type=int, required=True, help="number of cases the run must contain")
    parser.add_argument("--extra-failures", type=int, default=0, help="failures found outside the cases")
    parser.add_argument("--counts-out", help='file to write "PASSED FAILED" into')
    args = parser.parse_args()

    problems = []
    results = {}
    try:
        with open(args.index, encoding="utf-8") as handle:
            index = json.load(handle)
        results = index.get(args.agent, {})
        if not results:
            problems.append(f"no results for agent {args.agent!r} in {args.index}")
    except (OSError, ValueError) as error:
        problems.append(f"cannot read {args.index}: {error}")

    index_dir = os.path.dirname(os.path.abspath(args.index))
    passed = 0
    failed_cases = []
    for case_id in sorted(results, key=case_sort_key):
        entry = results[case_id]
        behavior = entry.get("behavior")
        behavior_close = entry.get("behaviorClose")
        if behavior in ACCEPTED and behavior_close in ACCEPTED:
            passed += 1
        else:
            failed_cases.append((case_id, entry))

    missing = max(0, args.expected - len(results))
    if len(results) != args.expected:
        problems.append(
            f"expected {args.expected} cases, the run reported {len(results)} "
            "(did the server die or hang during the run?)"
        )
    failed = len(failed_cases) + missing + args.extra_failures

    for case_id, entry in failed_cases:
        report = load_case_report(index_dir, entry)
        print(
            f"FAIL case {case_id}: behavior={entry.get('behavior')} behaviorClose={entry.get('behaviorClose')} "
            f"remoteCloseCode={entry.get('remoteCloseCode')} duration={entry.get('duration')}ms"
        )
        if report:
            print(f"    description: {shorten(report.get('description', ''))}")
            print(f"    expectation: {shorten(report.get('expectation', ''))}")
            print(f"    result:      {shorten(report.get('result', ''))}")
            print(f"    resultClose: {shorten(report.get('resultClose', ''))}")
    for problem in problems:
        print(f"FAIL: {problem}")

    print(f"autobahn: {len(results)} cases, {passed} OK/INFORMATIONAL, {failed} failed")
    if args.counts_out:
        with open(args.counts_out, "w", encoding="utf-8") as handle:
            handle.write(f"{passed} {failed}\n")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
