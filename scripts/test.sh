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
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/graphql-http ] \
  || [ ! -d tests/browser/node_modules/graphql-ws ] || [ ! -d tests/browser/node_modules/ws ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
# The federation test composes with @apollo/composition and serves with Hive Gateway
# (tests/federation, its own lock file).
if [ ! -d tests/federation/node_modules/@apollo/composition ] || [ ! -d tests/federation/node_modules/@graphql-hive/gateway ]; then
  (cd tests/federation && npm ci --no-audit --no-fund)
fi
export REQUIRE_BROWSER=1

# The cache tests use a real Redis: the machine's on 127.0.0.1:6379 (each test with a key
# namespace of its own), started here when it is not running; the test that stops Redis
# starts its own redis-server on a free port.
if ! command -v redis-server >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || { echo "Redis is required: install redis-server" >&2; exit 1; }
  apt_install redis-server
fi
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_up; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
fi
export REQUIRE_REDIS=1

# Everything else the suite needs (vendor simulators, the gateway) it serves in-process
# on 127.0.0.1 port 0.
# The benchmark (benches/gateway.rs) is no test: clippy --all-targets compiles it, and
# `cargo bench --bench gateway` runs it.
# The log audit: the suite logs at trace level into a directory of its own, noting every
# secret its tests use; afterwards one check reads it all (tests/api/audit.rs).
audit_dir=$(mktemp -d)
trap 'rm -rf "$audit_dir"' EXIT
export SWITCHBOARD_TEST_AUDIT_DIR="$audit_dir"
cargo test --locked --lib --bins --tests "$@"
if [ $# -eq 0 ]; then
  cargo test --locked --test api -- --ignored --exact audit::the_whole_suites_trace_log_holds_no_secret --nocapture
fi
