#!/usr/bin/env bash
# Runs every test of Switchboard. Installs or starts what the tests need first, so it
# works the same on a fresh machine, a developer's, and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is required: install Rust from https://rustup.rs" >&2
  exit 1
fi

# The suite serves everything it needs in-process (vendor simulators, cache) on
# 127.0.0.1 port 0, so nothing else has to run here.
cargo test --locked --all-targets "$@"
