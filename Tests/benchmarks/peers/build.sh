#!/usr/bin/env bash
# Builds the peer servers the issue-5 benchmark compares chatd against, offline:
# Debian packages only (golang-go, golang-github-gorilla-websocket-dev, node-ws) plus the
# PyPI `websockets` already in .venv-tests. The Go module proxy is unreachable, so gorilla
# is built in GOPATH mode against the Debian source tree in /usr/share/gocode.
# Prints the command that starts each server (each takes PORT, prints "ready").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

need=()
command -v go >/dev/null || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/gorilla/websocket ] || need+=(golang-github-gorilla-websocket-dev)
[ -f /usr/share/nodejs/ws/package.json ] || need+=(node-ws)
command -v node >/dev/null || need+=(nodejs)
if [ ${#need[@]} -gt 0 ]; then
  # The repository's one apt helper (non-interactive, sudo when not root, update only when needed).
  source "$repo/.ci/lib.sh"
  ensure_apt_packages "${need[@]}" >&2
fi

mkdir -p "$here/.bin"
# GO111MODULE=off: GOPATH mode, no go.mod, no proxy. GOFLAGS cleared in case the
# environment sets -mod=...; GOCACHE kept local so a read-only HOME does not matter.
( cd "$here/gorilla" && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
    GOCACHE="$here/.bin/gocache" go build -trimpath -o "$here/.bin/gorilla-peer" . )

py="$repo/.venv-tests/bin/python"
"$py" -c 'import websockets.asyncio.server' 2>/dev/null \
  || echo "warning: $py lacks websockets>=13 (pip install websockets into .venv-tests)" >&2

cat <<CMDS
# start each peer with a free PORT; each prints "ready" once listening on 127.0.0.1
gorilla: GOMAXPROCS=1 $here/.bin/gorilla-peer PORT
node:    NODE_PATH=/usr/share/nodejs node $here/node/server.js PORT
python:  $py $here/python/server.py PORT
CMDS
