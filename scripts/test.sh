#!/usr/bin/env bash
# Runs every test of Switchboard. Installs or starts what the tests need first, so it
# works the same on a fresh machine, a developer's, and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is required: install Rust from https://rustup.rs" >&2
  exit 1
fi

# Installs Debian packages, as root or through sudo.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends "$@" \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "$@"; }
}

# The browser test drives Debian's Chromium with playwright-core from npm (never a
# browser download).
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  command -v apt-get >/dev/null 2>&1 || { echo "Chromium is required: install it (Debian: chromium)" >&2; exit 1; }
  apt_install chromium
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || { echo "Node.js and npm are required: install them" >&2; exit 1; }
  apt_install nodejs npm
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/graphql-http ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
export REQUIRE_BROWSER=1

# Everything else the suite needs (vendor simulators, cache) it serves in-process on
# 127.0.0.1 port 0, so nothing else has to run here.
cargo test --locked --all-targets "$@"
