#!/usr/bin/env bash
# Removes what systemd/install.sh installed:
#
#   sudo systemd/uninstall.sh            # stop + disable chatd.socket and chatd.service, remove binary and units
#   sudo systemd/uninstall.sh --purge    # ... and also /etc/chatd (configuration), drop-ins and state (the room
#                                        #     history in /var/lib/chatd)
#   systemd/uninstall.sh --root DIR      # remove from a root tree (no systemctl calls)
#
# Without --purge the configuration in /etc/chatd, local drop-ins in /etc/systemd/system/chatd.*.d and the history
# in /var/lib/chatd stay, so a later install.sh picks them up again.
set -euo pipefail

ROOT=""
PURGE=0

# Prints the usage text (the comment block at the top of this file) and exits with status $1.
usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
    echo "options: --root DIR, --purge, -h/--help"
    exit "$1"
}

# Prints a message on stderr and exits with status 1.
die() {
    echo "uninstall.sh: error: $*" >&2
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
        --purge)
            PURGE=1
            shift
            ;;
        -h | --help) usage 0 ;;
        *)
            echo "uninstall.sh: unknown argument: $1" >&2
            usage 2
            ;;
    esac
done

if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || die "--root $ROOT is not a directory"
    ROOT="$(cd "$ROOT" && pwd)"
    [ "$ROOT" != "/" ] || ROOT=""
fi
if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
    die "uninstalling from / needs root (run with sudo), or use --root DIR"
fi

manage_systemd=0
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
    manage_systemd=1
fi

if [ "$manage_systemd" -eq 1 ]; then
    # Stop the socket too, or the next client would start the service again.
    systemctl disable --now chatd.socket chatd.service 2>/dev/null || true
fi

removed=()
# Removes the given paths that exist and remembers them for the summary.
remove() {
    local path
    for path in "$@"; do
        if [ -e "$path" ] || [ -L "$path" ]; then
            rm -rf -- "$path"
            removed+=("$path")
        fi
    done
}

remove "$ROOT/usr/local/bin/chatd" "$ROOT/etc/systemd/system/chatd.service" "$ROOT/etc/systemd/system/chatd.socket"
if [ "$PURGE" -eq 1 ]; then
    # StateDirectory= with DynamicUser=yes lives in /var/lib/private/chatd behind the /var/lib/chatd symlink.
    remove "$ROOT/etc/chatd" "$ROOT/etc/systemd/system/chatd.service.d" "$ROOT/etc/systemd/system/chatd.socket.d" \
        "$ROOT/var/lib/chatd" "$ROOT/var/lib/private/chatd"
fi

if [ "$manage_systemd" -eq 1 ]; then
    systemctl daemon-reload
    systemctl reset-failed chatd.service chatd.socket 2>/dev/null || true
fi

if [ "${#removed[@]}" -eq 0 ]; then
    echo "nothing to remove: chatd is not installed${ROOT:+ in $ROOT}"
else
    printf 'removed %s\n' "${removed[@]}"
fi
if [ "$PURGE" -eq 0 ] && [ -d "$ROOT/etc/chatd" ]; then
    echo "kept $ROOT/etc/chatd (remove it too with --purge)"
fi
if [ "$PURGE" -eq 0 ] && { [ -e "$ROOT/var/lib/chatd" ] || [ -e "$ROOT/var/lib/private/chatd" ]; }; then
    echo "kept the room history in $ROOT/var/lib/chatd (remove it too with --purge)"
fi
