#!/usr/bin/env bash
# Builds (once) and caches the Debian bookworm tree the real-systemd test boots with systemd-nspawn.
#
#   Tests/systemd/nspawn-tree.sh [DIR]     # default: $CHATD_NSPAWN_TREE or /var/cache/chatd-nspawn/bookworm
#
# The tree is `debootstrap --variant=minbase` plus systemd, systemd-sysv, dbus, libsystemd0 and procps: enough for a
# booted systemd with journald and D-Bus; chatd's binary only needs glibc and libsystemd0 from it. It lives outside
# the repository and is reused while its stamp file (suite + package list) matches; the test never writes to it
# (each run boots a throw-away overlay on top). A new tree is built next to the old one and renamed into place,
# under a lock, so an interrupted build never leaves a half tree behind.
# The Debian mirror is read from this machine's apt sources at run time (first `URIs:` of
# /etc/apt/sources.list.d/*.sources, else the first `deb` line of /etc/apt/sources.list); $CHATD_DEBIAN_MIRROR
# overrides it.
set -euo pipefail

TREE="${1:-${CHATD_NSPAWN_TREE:-/var/cache/chatd-nspawn/bookworm}}"
SUITE=bookworm
# procps: /bin/kill (the unit's ExecReload=) and ps/pgrep, as on any standard Debian install.
PACKAGES=systemd,systemd-sysv,dbus,libsystemd0,libsqlite3-0,procps
STAMP_WANT="suite=$SUITE variant=minbase include=$PACKAGES version=3"
# Bounded: a stalled mirror fails the run instead of hanging it.
DEBOOTSTRAP_TIMEOUT="${CHATD_DEBOOTSTRAP_TIMEOUT:-1200}"

# Prints the Debian mirror URI configured for apt on this machine.
debian_mirror() {
    if [ -n "${CHATD_DEBIAN_MIRROR:-}" ]; then
        echo "$CHATD_DEBIAN_MIRROR"
        return 0
    fi
    local file uri
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        # deb822: the first stanza's URIs: field (the main archive comes before -security on Debian).
        uri="$(awk 'tolower($1) == "uris:" { print $2; exit }' "$file")"
        if [ -n "$uri" ]; then
            echo "$uri"
            return 0
        fi
    done
    if [ -f /etc/apt/sources.list ]; then
        # "deb [options] URI suite components": skip the optional [..] block.
        uri="$(awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i; exit }' \
            /etc/apt/sources.list)"
        if [ -n "$uri" ]; then
            echo "$uri"
            return 0
        fi
    fi
    return 1
}

if [ "$(cat "$TREE/.chatd-tree-stamp" 2>/dev/null)" = "$STAMP_WANT" ]; then
    echo "reusing nspawn tree $TREE"
    exit 0
fi

mkdir -p "$(dirname "$TREE")"
exec 9>"$TREE.lock"
if ! flock -w "$DEBOOTSTRAP_TIMEOUT" 9; then
    echo "error: another build of $TREE holds $TREE.lock" >&2
    exit 1
fi
# Another run may have finished the tree while this one waited for the lock.
if [ "$(cat "$TREE/.chatd-tree-stamp" 2>/dev/null)" = "$STAMP_WANT" ]; then
    echo "reusing nspawn tree $TREE"
    exit 0
fi

MIRROR="$(debian_mirror)" || {
    echo "error: no Debian mirror in /etc/apt/sources.list(.d); set CHATD_DEBIAN_MIRROR" >&2
    exit 1
}
NEW="$TREE.new"
rm -rf "$NEW"
mkdir -p "$NEW"
LOG="$TREE.debootstrap.log"
echo "building nspawn tree $TREE: debootstrap $SUITE from $MIRROR (log: $LOG)"
started=$SECONDS
if ! timeout "$DEBOOTSTRAP_TIMEOUT" debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$NEW" "$MIRROR" \
    >"$LOG" 2>&1; then
    echo "error: debootstrap failed; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2
    rm -rf "$NEW"
    exit 1
fi

# An empty machine-id makes every boot generate a fresh, transient one (the overlay throws it away).
: >"$NEW/etc/machine-id"
# No apt caches in the image; nothing is installed into it after debootstrap.
rm -rf "$NEW/var/cache/apt/archives/"*.deb "$NEW/var/lib/apt/lists/"* 2>/dev/null || true
echo "$STAMP_WANT" >"$NEW/.chatd-tree-stamp"

rm -rf "$TREE"
mv "$NEW" "$TREE"
echo "built nspawn tree $TREE in $((SECONDS - started))s ($(du -sh "$TREE" | cut -f1))"
