#!/usr/bin/env bash
# The real-systemd test: chatd installed into a booted Debian bookworm container (systemd-nspawn), checked from the
# host over 127.0.0.1. Needs root. Usage:
#
#   bash Tests/systemd/run.sh [pytest arguments]        # e.g. -k watchdog
#
# Steps: apt packages systemd-container + debootstrap (if missing), .venv-tests, the static release binary
# (CHATD_STATIC_BIN, else built into .build-static), the cached bookworm tree (Tests/systemd/nspawn-tree.sh), then
# pytest Tests/systemd, which boots the container on an overlay of the tree and runs the checks.
# Prints each check with its time and ends with `N passed, N failed`; the junit report goes to
# $CHATD_SYSTEMD_JUNIT (default Tests/integration/.artifacts/systemd/junit.xml), the container's journal next to it.
# The container is always stopped and the overlay removed (pytest fixture; this script's EXIT trap as backstop).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../../.ci/lib.sh"
cd "$CHATD_ROOT" || exit 1
started=$SECONDS

RUN_BASE=/var/tmp/chatd-systemd-test
export CHATD_SYSTEMD_RUN_DIR="$RUN_BASE/run-$$"
export CHATD_SYSTEMD_ARTIFACTS="${CHATD_SYSTEMD_ARTIFACTS:-$ARTIFACTS_DIR/systemd}"
JUNIT="${CHATD_SYSTEMD_JUNIT:-$CHATD_SYSTEMD_ARTIFACTS/junit.xml}"
mkdir -p "$CHATD_SYSTEMD_ARTIFACTS" "$(dirname "$JUNIT")"
rm -f "$JUNIT"

# Stops the container of run directory $1 if it still runs, unmounts its overlay and deletes the directory.
cleanup_run_dir() {
    local dir="$1" pid
    pid="$(cat "$dir/nspawn.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "systemd-nspawn" ]; then
        echo "stopping leftover container (systemd-nspawn pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 15))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    if mountpoint -q "$dir/root" 2>/dev/null; then
        umount "$dir/root" 2>/dev/null || umount --lazy "$dir/root" 2>/dev/null || true
    fi
    rm -rf "$dir"
}

# Also clears runs whose script was killed outright (their run-PID no longer exists).
for dir in "$RUN_BASE"/run-*; do
    [ -d "$dir" ] || continue
    owner="${dir##*/run-}"
    if [ "$owner" = "$$" ] || ! kill -0 "$owner" 2>/dev/null; then
        cleanup_run_dir "$dir"
    fi
done
PYTEST_PID=""
# On Ctrl-C/SIGTERM: let pytest stop its container itself (bounded), then the EXIT trap clears whatever is left.
on_signal() {
    if [ -n "$PYTEST_PID" ] && kill -0 "$PYTEST_PID" 2>/dev/null; then
        kill -TERM "$PYTEST_PID" 2>/dev/null || true
        local deadline=$((SECONDS + 30))
        while kill -0 "$PYTEST_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    fi
    exit 130
}
trap 'cleanup_run_dir "$CHATD_SYSTEMD_RUN_DIR"' EXIT
trap on_signal INT TERM

# Prints the summary line and exits with status $1 when a preparation step failed.
fail_setup() {
    echo "FAIL: $1"
    echo "0 passed, 1 failed"
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail_setup "the real-systemd test needs root (overlay mount, systemd-nspawn)"
ensure_systemd_tools || fail_setup "could not install systemd-container/debootstrap"
ensure_tests_venv || fail_setup "could not create $TESTS_VENV"

if [ -z "${CHATD_STATIC_BIN:-}" ]; then
    echo "building the static release binary into .build-static"
    swift build -c release --product chatd --static-swift-stdlib --scratch-path .build-static \
        || fail_setup "static release build failed"
    CHATD_STATIC_BIN="$CHATD_ROOT/.build-static/release/chatd"
fi
export CHATD_STATIC_BIN
[ -x "$CHATD_STATIC_BIN" ] || fail_setup "no binary at $CHATD_STATIC_BIN"

tree_started=$SECONDS
bash "$CHATD_ROOT/Tests/systemd/nspawn-tree.sh" || fail_setup "could not build the bookworm tree"
echo "-- tree ready in $((SECONDS - tree_started))s"

# Bounded as a whole; SIGTERM lets the pytest fixture stop the container itself. Run in the background so this
# script's signal trap fires at once (bash defers traps while a foreground child runs).
timeout --signal=TERM --kill-after=30 900 \
    "$TESTS_VENV/bin/python" -m pytest Tests/systemd -v -s --junitxml="$JUNIT" "$@" &
PYTEST_PID=$!
wait "$PYTEST_PID"
pytest_rc=$?
PYTEST_PID=""
read -r passed failed < <("$TESTS_VENV/bin/python" "$CHATD_ROOT/.ci/count_junit.py" "$JUNIT" "$pytest_rc")
echo "real-systemd test took $((SECONDS - started))s (pytest exit $pytest_rc)"
echo "${passed:-0} passed, ${failed:-1} failed"
[ "$pytest_rc" -eq 0 ]
