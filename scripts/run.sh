#!/usr/bin/env bash
# Installs what is missing, builds a release, and serves the shop at http://127.0.0.1:3000
# (SQLite in data/, demo catalog on first start, the built-in Paysera sandbox). Safe to run again.
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_packages
build release
# The demo runs against the built-in Paysera sandbox (no real money), unless a live project is
# configured in the environment or in .env: the binary never starts the sandbox by itself.
if [ -z "${TURGUS_PAYSERA_PROJECT_ID:-}" ] && ! grep -qs '^TURGUS_PAYSERA_PROJECT_ID=.' .env; then
  export TURGUS_SANDBOX="${TURGUS_SANDBOX:-1}"
fi
step "Starting Turgus (Ctrl-C stops it)"
exec target/release/turgus
