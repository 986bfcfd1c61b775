# Shared by the scripts in this folder: installs what a fresh machine lacks, and skips what is there.
# A fresh machine has the Rust toolchain, gcc, Python 3, Node and npm; everything else comes from here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Must equal the `wasm-bindgen` pinned in Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130

step() { printf '\n==> %s\n' "$*"; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # Not --locked: its lock file names a webpki-roots release the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

# npm packages: wasm-opt (binaryen, for release builds) and Playwright (for browser tests).
# Playwright never downloads a browser here: the tests drive Debian's Chromium.
ensure_npm_packages() {
  local dir
  for dir in scripts/tools end2end; do
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      step "Installing npm packages in $dir"
      (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    fi
  done
  export PATH="$ROOT/scripts/tools/node_modules/.bin:$PATH"
}

# apt_install PACKAGE...: Debian's packages, as root or through sudo.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    step "Installing Debian's Chromium for the browser tests"
    apt_install chromium
  fi
}

# The readers the invoice tests check with: poppler's pdftotext reads the PDFs back, libxml2's
# xmllint validates the i.SAF register against VMI's schema.
ensure_document_tools() {
  if ! command -v pdftotext >/dev/null || ! command -v xmllint >/dev/null; then
    step "Installing Debian's poppler-utils and libxml2-utils (the invoice tests read PDFs and XML)"
    apt_install poppler-utils libxml2-utils
  fi
}

# Python packages for the structured-data check (end2end/requirements.txt, pinned), in a virtual
# environment under target/ (Debian's Python needs python3-venv for it).
ensure_python_tools() {
  local venv="$ROOT/target/python"
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    step "Installing Debian's python3-venv"
    apt_install python3-venv
  fi
  if [ ! -x "$venv/bin/python" ] || [ "$ROOT/end2end/requirements.txt" -nt "$venv/installed" ]; then
    step "Installing the Python packages of end2end/requirements.txt"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/end2end/requirements.txt"
    touch "$venv/installed"
  fi
  PYTHON_TOOLS="$venv/bin/python"
}

# build_client debug|release: the islands' WASM and JS glue (wasm-opt'd in release), the stylesheet
# and the public files, in target/site (not yet named by content: see finish_site).
build_client() {
  local mode="$1" wasm_dir
  local wasm_flags=(--lib --target wasm32-unknown-unknown --features hydrate)
  if [ "$mode" = release ]; then
    wasm_flags+=(--profile wasm-release)
    wasm_dir=wasm-release
  else
    wasm_dir=debug
  fi
  step "Building the WASM client ($mode)"
  cargo build "${wasm_flags[@]}"
  rm -rf target/site
  mkdir -p target/site/pkg
  wasm-bindgen --target web --no-typescript --out-dir target/site/pkg --out-name turgus \
    "target/wasm32-unknown-unknown/$wasm_dir/turgus.wasm"
  if [ "$mode" = release ]; then
    step "Optimising the WASM for size (wasm-opt)"
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --strip-debug --strip-producers \
      target/site/pkg/turgus_bg.wasm -o target/site/pkg/turgus_bg.wasm
  fi
  cp style/main.css target/site/pkg/turgus.css
  cp -r public/. target/site/
}

# build_server debug|release: the server binary.
build_server() {
  local flags=()
  [ "$1" = release ] && flags=(--release)
  step "Building the server ($1)"
  cargo build --features ssr --bin turgus "${flags[@]}"
}

# finish_site SERVER_MODE: names the client's files after their content and precompresses the
# site (brotli and gzip), with the server binary just built (src/assets.rs).
finish_site() {
  step "Naming and precompressing the site's files"
  "target/$1/turgus" assets target/site
}

# The shopper's download budget: the islands' WASM after wasm-opt and its JS glue, gzipped, at
# most 100 000 and 20 000 bytes (src/assets.rs). Needs a release client and a finished site.
check_budget() {
  step "Shopper download budget"
  "target/$1/turgus" assets --check target/site
}

# build debug|release: client, server and the finished site, all in one mode.
build() {
  build_client "$1"
  build_server "$1"
  finish_site "$1"
}

# PostgreSQL (the database for a shop on several instances): the tests and the bench run against a
# throw-away server of Debian's `postgresql` package, installed when missing.
ensure_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    step "Installing Debian's PostgreSQL (for the PostgreSQL half of the tests)"
    apt_install postgresql
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
}

# start_postgres [durable]: a fresh server in a scratch folder, reached only by its Unix socket
# there. For the tests durability is off (a test's data dies with it anyway); `durable` keeps
# PostgreSQL's defaults (every commit flushed, as SQLite's synchronous=FULL does), for the bench.
# PostgreSQL refuses to run as root, so as root it runs as the package's `postgres` user. Sets
# PG_DIR and PG_URL (an admin URL on which the tests make a database each); stop_postgres stops it
# and deletes the folder.
start_postgres() {
  local settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${1:-}" = durable ] && settings=""
  ensure_postgres
  PG_DIR="$(mktemp -d /tmp/turgus-pg.XXXXXX)"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  step "Starting a throw-away PostgreSQL ($("$PG_BIN/postgres" --version))"
  "${as[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
    -o "-k $PG_DIR -c listen_addresses='' -c max_connections=400 $settings" \
    start >/dev/null
  PG_URL="postgres://postgres@localhost/postgres?host=$PG_DIR"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    local as=()
    [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
