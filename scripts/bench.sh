#!/usr/bin/env bash
# Builds a release and measures it under load (benches/load.rs): pages and a static file per
# second, duplicate callbacks, concurrent checkouts, memory, the shopper's WASM. Prints a Markdown
# table (the one in docs/performance.md), then the checkouts and callbacks again on a throw-away
# PostgreSQL, side by side with SQLite's. Not part of `make test`: these are figures, not checks.
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_packages
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed to pin the server to one core" >&2; exit 1; }
# Pages served from memory outrun the bench's own load generator: wrk measures the reads.
command -v wrk >/dev/null || { step "Installing wrk (Debian's package) for the page measurements"; apt_install wrk; }
build release
step "Building the bare axum server pages are compared with (benches/bare_server.rs)"
cargo build --release --features ssr --example bare_server
# PostgreSQL as it would run in production: every commit flushed to disk, like SQLite's.
start_postgres durable
trap stop_postgres EXIT
step "Load (server pinned to core 0, load generator on the others)"
TURGUS_BENCH_POSTGRES="$PG_URL" cargo bench --features ssr --bench load
