#!/usr/bin/env bash
# Installs what is missing, builds a release, and serves the shop at http://127.0.0.1:3000
# (SQLite in data/, demo catalog on first start). Safe to run again.
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_packages
build release
step "Starting Turgus (Ctrl-C stops it)"
exec target/release/turgus
