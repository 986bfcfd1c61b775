#!/usr/bin/env bash
# Installs what is missing, then runs every check: formatting, clippy for the server and the
# WASM client, all Rust tests on SQLite and the integration tests again on a throw-away
# PostgreSQL, and against a freshly built server with a throw-away database: the structured data,
# sitemap and robots.txt read by real parsers (extruct), then the Playwright suite.
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_packages
ensure_chromium
ensure_postgres
ensure_python_tools
ensure_document_tools

step "cargo fmt --check"
cargo fmt --all -- --check
step "clippy (server)"
cargo clippy --features ssr --all-targets -- -D warnings
step "clippy (WASM client)"
cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings
step "Rust tests on SQLite"
# --all-targets includes the benchmarks, run once each as tests (compiled, not timed).
cargo test --features ssr --all-targets

# Every integration test again, each shop on its own database of a throw-away PostgreSQL
# (tests/support), plus the tests of several instances on one database (tests/instances.rs).
start_postgres
trap stop_postgres EXIT
step "Rust integration tests on PostgreSQL"
TURGUS_TEST_POSTGRES="$PG_URL" cargo test --features ssr --tests
stop_postgres
trap - EXIT

# The browser tests drive the release client (what shoppers download, and what the budget is
# about) with a debug server.
build_client release
build_server debug
finish_site debug
check_budget debug

step "Starting the shop for the browser tests"
scratch="$(mktemp -d)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
export TURGUS_DATABASE_URL="sqlite://$scratch/e2e.db" TURGUS_DATA_DIR="$scratch" TURGUS_SANDBOX=1
# Order e-mails go over SMTP to a sink on this machine, which keeps them as files for the tests
# (end2end/tests/settings.spec.ts reads the confirmation).
mail_port="$(free_port)"
export MAIL_DIR="$scratch/sink"
python3 end2end/smtp-sink.py "$mail_port" "$MAIL_DIR" &
sink=$!
# In the sandbox e-mails go out over SMTP only when asked for (any visitor can "pay" there).
export TURGUS_SMTP_URL="smtp://127.0.0.1:$mail_port" TURGUS_MAIL_FROM="shop@example.lt" TURGUS_SANDBOX_SEND_EMAIL=1
# The merchant's story logs in as the owner (end2end/tests/merchant.spec.ts).
export ADMIN_EMAIL="owner@example.lt"
ADMIN_PASSWORD="e2e-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
export ADMIN_PASSWORD
printf '%s\n' "$ADMIN_PASSWORD" | RUST_LOG=warn target/debug/turgus admin create --email "$ADMIN_EMAIL"
# The same story in Lithuanian, by an owner whose admin speaks it.
export ADMIN_LT_EMAIL="savininkas@example.lt"
printf '%s\n' "$ADMIN_PASSWORD" | RUST_LOG=warn target/debug/turgus admin create --email "$ADMIN_LT_EMAIL" --lang lt
# The locker story picks a point of the bundled Omniva sample: nothing listens at this feed
# address, so the shop never swaps in the live list (a machine with network would).
export TURGUS_OMNIVA_POINTS_URL="http://127.0.0.1:9/locations.json"
TURGUS_ADDR="127.0.0.1:$port" TURGUS_PUBLIC_URL="http://127.0.0.1:$port" \
  RUST_LOG=warn target/debug/turgus > "$scratch/server.log" 2>&1 &
server=$!
trap 'kill $server $sink 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$scratch/server.log"; exit 1; }
  sleep 0.2
done
# Read by real parsers before the browser stories change the catalog.
step "Structured data, sitemap and robots.txt (extruct)"
"$PYTHON_TOOLS" end2end/structured-data.py "http://127.0.0.1:$port"
step "Browser tests"
(cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test) || { echo "--- server log"; tail -50 "$scratch/server.log"; exit 1; }
