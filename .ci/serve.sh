#!/usr/bin/env bash
# Set up and run chatd from a fresh checkout (Debian 12 with Swift installed):
#   bash .ci/serve.sh                       # listens on 127.0.0.1:8080 with config/chatd.toml
#   bash .ci/serve.sh --listen 0.0.0.0:8080 # any chatd flag is passed through
# Room history is kept in .state/history.sqlite3 inside the checkout (git-ignored), so a development server keeps its
# rooms between runs without writing to ~/.local/state; `--state-dir DIR` picks another place (the last one wins),
# `rm -rf .state` starts afresh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/lib.sh
ensure_build_packages
swift build -c release --product chatd
exec .build/release/chatd --config config/chatd.toml --state-dir "$CHATD_ROOT/.state" "$@"
