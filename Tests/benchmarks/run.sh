#!/usr/bin/env bash
# chatd vs peer servers (issue 5). Builds what the benchmark needs, then runs Tests/benchmarks/bench.py:
#   - chatd and the chatd-load generator in release (swift build -c release --product chatd / chatd-load)
#   - the peers (peers/build.sh: gorilla from Debian's golang packages, node-ws, nodejs)
#   - .venv-tests with websockets (for the Python peer), as the test suite creates it
# and raises the open-files soft limit to the hard limit for everything it starts.
# Arguments go to bench.py:  bash Tests/benchmarks/run.sh [--quick] [--servers chatd,gorilla] [--skip-curve]
#                            [--json-out FILE] [--check] [--baseline PATH] ...   (bench.py --help lists them all)
#   --baseline PATH: another chatd binary (e.g. the previous commit's) runs as chatd@base; the table adds chatd/base.
#   chatd runs with its default history store (SQLite, a fresh --state-dir per run under the bench's temp dir) and
#   chatd-mem, the same binary with [history] store = "memory", next to it: the table adds sqlite/mem
#   (--no-memory-store leaves it out); the history-on-join run fills a store and restarts chatd on it.
# Environment: CHATD_SCRATCH_PATH=DIR builds elsewhere (as .ci/test.sh); CHATD_LOAD=PATH uses an already built
# chatd-load instead of building it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../.ci/lib.sh"
cd "$CHATD_ROOT"

flags=()
build_dir="$CHATD_ROOT/.build"
if [ -n "${CHATD_SCRATCH_PATH:-}" ]; then
    flags=(--scratch-path "$CHATD_SCRATCH_PATH")
    build_dir="$(mkdir -p "$CHATD_SCRATCH_PATH" && cd "$CHATD_SCRATCH_PATH" && pwd)"
fi
export CHATD_BUILD_DIR="$build_dir/release"

ensure_build_packages util-linux >&2
swift build "${flags[@]}" -c release --product chatd >&2
if [ -z "${CHATD_LOAD:-}" ]; then
    swift build "${flags[@]}" -c release --product chatd-load >&2
fi
ensure_tests_venv >&2
bash "$CHATD_ROOT/Tests/benchmarks/peers/build.sh" >/dev/null

# Many thousands of sockets per process: the soft limit up to the hard limit (children inherit it).
ulimit -n "$(ulimit -Hn)"
exec python3 "$CHATD_ROOT/Tests/benchmarks/bench.py" "$@"
