# Shared helpers for the .ci scripts (sourced, not executed).
# Every function here is idempotent: cached virtualenvs are reused when their pin file is unchanged,
# and everything is recreated from nothing on a clean clone.

# Repository root (the directory above .ci/).
CHATD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TESTS_VENV="$CHATD_ROOT/.venv-tests"
AUTOBAHN_VENV="$CHATD_ROOT/.venv-autobahn"
ARTIFACTS_DIR="$CHATD_ROOT/Tests/integration/.artifacts"

# Prints a section header so CI logs are easy to scan.
section() {
    printf '\n==================== %s ====================\n' "$*"
}

# Installs Debian packages that are missing (apt-get update only when something must be installed).
ensure_apt_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        echo "apt packages present: $*"
        return 0
    fi
    echo "installing apt packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Debian packages the Swift build links against, found through pkg-config: libsystemd (sd_notify, socket activation,
# the journal) and SQLite (the history store).
CHATD_BUILD_PACKAGES=(libsystemd-dev libsqlite3-dev pkg-config)

# Installs what building chatd needs (CHATD_BUILD_PACKAGES) plus any extra packages given, if missing.
ensure_build_packages() {
    ensure_apt_packages "${CHATD_BUILD_PACKAGES[@]}" "$@"
}

# sha256 of a file (used to decide whether a cached virtualenv still matches its pins).
file_hash() {
    sha256sum "$1" | cut -d' ' -f1
}

# Path of the Python 3 interpreter used to create .venv-tests.
python3_bin() {
    command -v python3 || command -v python
}

# Path of the pyenv-provided Python 2.7.18 interpreter used by Autobahn|Testsuite.
python27_bin() {
    if [ -n "${CHATD_PYTHON27:-}" ]; then
        echo "$CHATD_PYTHON27"
        return
    fi
    local root
    root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
    echo "$root/versions/2.7.18/bin/python"
}

# Creates (or reuses) .venv-tests with pytest, websockets and virtualenv from .ci/requirements-tests.txt.
ensure_tests_venv() {
    local req="$CHATD_ROOT/.ci/requirements-tests.txt"
    local stamp="$TESTS_VENV/.chatd-requirements.sha256"
    local want
    want="$(file_hash "$req")"
    if [ -x "$TESTS_VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] \
        && "$TESTS_VENV/bin/python" -c "import pytest, websockets, virtualenv" 2>/dev/null; then
        echo "reusing $TESTS_VENV"
        return 0
    fi
    echo "creating $TESTS_VENV"
    rm -rf "$TESTS_VENV"
    if ! "$(python3_bin)" -m venv "$TESTS_VENV"; then
        # Debian's own python3 ships venv/ensurepip separately.
        rm -rf "$TESTS_VENV"
        ensure_apt_packages python3-venv
        "$(python3_bin)" -m venv "$TESTS_VENV" || return 1
    fi
    "$TESTS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" || return 1
    echo "$want" >"$stamp"
}

# Creates (or reuses) the Python 2.7 .venv-autobahn with wstest from .ci/requirements-autobahn.txt.
# Needs .venv-tests first (it provides virtualenv 20.21.1, the last release that creates 2.7 envs).
ensure_autobahn_venv() {
    local req="$CHATD_ROOT/.ci/requirements-autobahn.txt"
    local stamp="$AUTOBAHN_VENV/.chatd-requirements.sha256"
    local want
    want="$(file_hash "$req")"
    if [ -x "$AUTOBAHN_VENV/bin/wstest" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] \
        && "$AUTOBAHN_VENV/bin/wstest" -a >/dev/null 2>&1; then
        echo "reusing $AUTOBAHN_VENV"
        return 0
    fi
    local py27
    py27="$(python27_bin)"
    if [ ! -x "$py27" ]; then
        echo "error: Python 2.7.18 not found at $py27 (set CHATD_PYTHON27)" >&2
        return 1
    fi
    echo "creating $AUTOBAHN_VENV with $py27"
    rm -rf "$AUTOBAHN_VENV"
    "$TESTS_VENV/bin/virtualenv" --quiet -p "$py27" "$AUTOBAHN_VENV" || return 1
    # pip 20.3.4 is the newest pip for 2.7; silence its 2.7 deprecation banner.
    PYTHONWARNINGS=ignore "$AUTOBAHN_VENV/bin/pip" install --quiet --disable-pip-version-check \
        --no-python-version-warning --prefer-binary -r "$req" || return 1
    "$AUTOBAHN_VENV/bin/wstest" -a || return 1
    echo "$want" >"$stamp"
}

# Prints a free TCP port on 127.0.0.1.
free_port() {
    "$(python3_bin)" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Waits (bounded) until 127.0.0.1:$1 accepts TCP connections; fails early if pid $2 exits.
wait_for_port() {
    local port="$1" pid="$2" deadline=$((SECONDS + ${3:-15}))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: process $pid exited before listening on port $port" >&2
            return 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "error: nothing listening on 127.0.0.1:$port after ${3:-15}s" >&2
    return 1
}

# Sends SIGTERM to child pid $1, waits up to $2 seconds, then SIGKILLs it.
# Sets STOP_RC to the child's exit status (not echoed: `wait` only works in the parent shell).
STOP_RC=0
stop_process() {
    local pid="$1" grace="${2:-10}"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + grace))
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "warning: pid $pid ignored SIGTERM for ${grace}s, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    STOP_RC=0
    wait "$pid" 2>/dev/null || STOP_RC=$?
}

# ---- browser end-to-end tests ----
# Debian's Chromium and its matching chromedriver (/usr/bin/chromium, /usr/bin/chromedriver) plus a color
# emoji font so screenshots render emoji. Selenium itself comes from .ci/requirements-tests.txt
# (ensure_tests_venv); the tests give Selenium both paths, so Selenium Manager never downloads anything.
ensure_browser_tools() {
    ensure_apt_packages chromium chromium-driver fonts-noto-color-emoji || return 1
    local tool
    for tool in /usr/bin/chromium /usr/bin/chromedriver; do
        if [ ! -x "$tool" ]; then
            echo "error: $tool is missing after installing chromium/chromium-driver" >&2
            return 1
        fi
    done
    /usr/bin/chromedriver --version | head -n 1
    "$TESTS_VENV/bin/python" -c 'import selenium; print("selenium", selenium.__version__)' || return 1
}

# ---- real-systemd test (Tests/systemd) ----
# systemd-nspawn (Debian's systemd-container) boots the test container, debootstrap builds its cached bookworm tree,
# overlayfs keeps that tree clean. Needs root; the host's systemd need not be running (it is not PID 1 in CI).
ensure_systemd_tools() {
    ensure_apt_packages systemd-container debootstrap || return 1
    local tool
    for tool in systemd-nspawn debootstrap nsenter systemd-analyze; do
        if ! command -v "$tool" >/dev/null; then
            echo "error: $tool is missing after installing systemd-container/debootstrap" >&2
            return 1
        fi
    done
    if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
        echo "note: no overlayfs here; the test copies the cached tree for each run instead"
    fi
    systemd-nspawn --version | head -n 1
}
