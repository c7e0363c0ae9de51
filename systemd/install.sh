#!/usr/bin/env bash
# Installs chatd as a systemd service, in one command from the repository:
#
#   sudo systemd/install.sh                      # build, install, enable and start chatd.socket + chatd.service
#   sudo systemd/install.sh --no-build ./chatd   # install an already built binary instead of building
#   systemd/install.sh --root /srv/tree --no-build ./chatd   # fill a root tree (no systemctl calls)
#
# What goes where:
#   binary          /usr/local/bin/chatd                 (release build, Swift runtime linked statically)
#   units           /etc/systemd/system/chatd.service, /etc/systemd/system/chatd.socket
#   configuration   /etc/chatd/chatd.toml                (the repository's config/chatd.toml; an existing file is
#                                                         never overwritten, so reinstalling keeps local edits)
#   history         /var/lib/chatd/history.sqlite3       (not installed: systemd creates /var/lib/chatd for the
#                                                         service's dynamic user on first start, StateDirectory=chatd)
# The build is `swift build -c release --product chatd --static-swift-stdlib --scratch-path .build-static` (it needs
# libsystemd-dev, libsqlite3-dev and pkg-config), so the binary needs only glibc, libsystemd0 and libsqlite3-0 on the
# target machine, not a Swift toolchain.
# When systemd is running (/run/systemd/system exists) and no --root is given, the script runs
# `systemctl daemon-reload` and `systemctl enable --now chatd.socket chatd.service`; a service that was already
# running is restarted so it picks up the new binary (with the socket unit, no connection is refused meanwhile).
# Undo with systemd/uninstall.sh.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT=""
BINARY=""

# Prints the usage text (the comment block at the top of this file) and exits with status $1.
usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
    echo "options: --root DIR (install into a root tree), --no-build BINARY (skip the build), -h/--help"
    exit "$1"
}

# Prints a message on stderr and exits with status 1.
die() {
    echo "install.sh: error: $*" >&2
    exit 1
}

while [ "$#" -gt 0 ]; do
    case "$1" in
        --root)
            [ "$#" -ge 2 ] || die "--root needs a directory"
            ROOT="$2"
            shift 2
            ;;
        --root=*)
            ROOT="${1#--root=}"
            shift
            ;;
        --no-build)
            [ "$#" -ge 2 ] || die "--no-build needs the path of a built chatd binary"
            BINARY="$2"
            shift 2
            ;;
        --no-build=*)
            BINARY="${1#--no-build=}"
            shift
            ;;
        -h | --help) usage 0 ;;
        *)
            echo "install.sh: unknown argument: $1" >&2
            usage 2
            ;;
    esac
done

if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || die "--root $ROOT is not a directory"
    ROOT="$(cd "$ROOT" && pwd)"
    [ "$ROOT" != "/" ] || ROOT=""
fi

SERVICE_UNIT="$REPO_ROOT/systemd/chatd.service"
SOCKET_UNIT="$REPO_ROOT/systemd/chatd.socket"
DEFAULT_CONFIG="$REPO_ROOT/config/chatd.toml"
for file in "$SERVICE_UNIT" "$SOCKET_UNIT" "$DEFAULT_CONFIG"; do
    [ -f "$file" ] || die "$file is missing (run this script from a chatd checkout)"
done

# ---- build (or take the given binary) ----
if [ -z "$BINARY" ]; then
    command -v swift >/dev/null || die "swift is not on PATH (or pass --no-build BINARY)"
    if ! command -v pkg-config >/dev/null || ! pkg-config --exists libsystemd sqlite3; then
        die "building needs libsystemd-dev, libsqlite3-dev and pkg-config:" \
            "apt-get install libsystemd-dev libsqlite3-dev pkg-config (or pass --no-build BINARY)"
    fi
    echo "building chatd: swift build -c release --product chatd --static-swift-stdlib --scratch-path .build-static"
    (cd "$REPO_ROOT" && swift build -c release --product chatd --static-swift-stdlib --scratch-path .build-static)
    BINARY="$REPO_ROOT/.build-static/release/chatd"
fi
[ -f "$BINARY" ] && [ -x "$BINARY" ] || die "$BINARY is not an executable file"
"$BINARY" --version >/dev/null \
    || die "$BINARY does not run on this machine (it needs glibc, libsystemd0 and libsqlite3-0)"

if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    die "installing into / needs root (run with sudo), or use --root DIR"
fi

# Whether systemctl should be driven: only on a live systemd and never for a --root tree.
manage_systemd=0
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
    manage_systemd=1
fi
was_active=0
if [ "$manage_systemd" -eq 1 ] && systemctl is-active --quiet chatd.service; then
    was_active=1
fi

# ---- files ----
install -D -m 0755 "$BINARY" "$ROOT/usr/local/bin/chatd"
echo "installed $ROOT/usr/local/bin/chatd ($("$ROOT/usr/local/bin/chatd" --version))"
install -D -m 0644 "$SERVICE_UNIT" "$ROOT/etc/systemd/system/chatd.service"
install -D -m 0644 "$SOCKET_UNIT" "$ROOT/etc/systemd/system/chatd.socket"
echo "installed $ROOT/etc/systemd/system/chatd.service and chatd.socket"
install -d -m 0755 "$ROOT/etc/chatd"
if [ -e "$ROOT/etc/chatd/chatd.toml" ]; then
    echo "kept existing $ROOT/etc/chatd/chatd.toml (the new default is $DEFAULT_CONFIG)"
else
    # World-readable: the service runs as a dynamic user (DynamicUser=yes) that owns nothing under /etc.
    install -m 0644 "$DEFAULT_CONFIG" "$ROOT/etc/chatd/chatd.toml"
    echo "installed $ROOT/etc/chatd/chatd.toml"
fi
# As the service will see it: systemd sets $STATE_DIRECTORY=/var/lib/chatd (StateDirectory=chatd), so the check
# prints the history file the service will use.
STATE_DIRECTORY=/var/lib/chatd "$ROOT/usr/local/bin/chatd" --config "$ROOT/etc/chatd/chatd.toml" --check-config

# ---- systemd ----
if [ "$manage_systemd" -eq 1 ]; then
    systemctl daemon-reload
    systemctl enable --now chatd.socket chatd.service
    if [ "$was_active" -eq 1 ]; then
        # enable --now leaves a running service alone; restart it so the new binary runs.
        systemctl restart chatd.service
    fi
    systemctl --no-pager --lines=0 status chatd.socket chatd.service || true
    echo "chatd is running: journalctl -u chatd -f   (uninstall: systemd/uninstall.sh)"
elif [ -n "$ROOT" ]; then
    echo "installed into $ROOT (units not enabled; systemctl is not called for a --root tree)"
else
    echo "systemd is not running here (/run/systemd/system missing): units installed but not started"
fi
