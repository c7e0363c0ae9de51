#!/usr/bin/env bash
# Set up and run chatd from a fresh checkout (Debian 12 with Swift installed):
#   bash .ci/serve.sh                       # listens on 127.0.0.1:8080 with config/chatd.toml
#   bash .ci/serve.sh --listen 0.0.0.0:8080 # any chatd flag is passed through
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source .ci/lib.sh
ensure_apt_packages libsystemd-dev pkg-config
swift build -c release --product chatd
exec .build/release/chatd --config config/chatd.toml "$@"
