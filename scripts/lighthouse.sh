#!/usr/bin/env bash
# Lighthouse (mobile preset, Debian's Chromium) on the home, product, cart and checkout pages of a
# release build, with something in the cart; prints the four category scores of each page.
# `make lighthouse`; not part of `make test` (scores are figures, see docs/performance.md).
# SKIP_BUILD=1 uses the release build already in target/; TURGUS_BIN and LEPTOS_SITE_ROOT point
# it at another build (to compare).
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm_packages
ensure_chromium
# Lighthouse 12: version 13 needs Node 22, and a fresh machine has Node 20.
if [ ! -d scripts/lighthouse/node_modules ] || [ scripts/lighthouse/package-lock.json -nt scripts/lighthouse/node_modules/.package-lock.json ]; then
  step "Installing Lighthouse"
  (cd scripts/lighthouse && npm ci --no-audit --no-fund)
fi
[ "${SKIP_BUILD:-0}" = 1 ] || build release

scratch="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
TURGUS_DATABASE_URL="sqlite://$scratch/lighthouse.db" TURGUS_DATA_DIR="$scratch" TURGUS_SANDBOX=1 \
  TURGUS_ADDR="127.0.0.1:$port" TURGUS_PUBLIC_URL="$base" RUST_LOG=warn \
  "${TURGUS_BIN:-target/release/turgus}" > "$scratch/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 100); do
  curl -fs "$base/readyz" >/dev/null && break
  sleep 0.2
done

# A shopper's session with a brass pen in the cart, for the cart and checkout pages.
product_id="$(curl -fs "$base/lt/p/brass-pen" | python3 -c 'import re,sys; print(re.search(r"name=\"product_id\" value=\"(\d+)\"", sys.stdin.read())[1])')"
curl -fs -c "$scratch/jar" -H 'accept: application/json' -d "product_id=$product_id&quantity=1" "$base/api/cart/add" >/dev/null
cookie="$(awk '$6 == "turgus_session" { print $6 "=" $7 }' "$scratch/jar")"

export CHROME_PATH=/usr/bin/chromium
flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
# The pages as shoppers reach them: in their language (an address without one is a redirect).
for page in /lt/ /lt/p/brass-pen /lt/cart /lt/checkout; do
  headers="{}"
  case "$page" in /cart|/checkout) headers="{\"Cookie\": \"$cookie\"}" ;; esac
  scripts/lighthouse/node_modules/.bin/lighthouse "$base$page" --quiet --output=json \
    --output-path="$scratch/report.json" --chrome-flags="$flags" --extra-headers="$headers" >/dev/null 2>&1 \
    || { echo "Lighthouse failed on $page" >&2; exit 1; }
  python3 - "$page" "$scratch/report.json" <<'PY'
import json, sys
page, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
lcp = report["audits"]["largest-contentful-paint"]["displayValue"]
weight = report["audits"]["total-byte-weight"]["numericValue"] / 1000
print(f"| {page} | {scores['performance']} | {scores['accessibility']} | {scores['best-practices']} | {scores['seo']} | {lcp} | {weight:.0f} KB |")
for key, category in report["categories"].items():
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            items = (audit.get("details") or {}).get("items", [])
            where = "; ".join(str((i.get("node") or {}).get("snippet", ""))[:120] for i in items[:3])
            print(f"{page}: {key}: {audit['id']} — {audit['title']} {where}", file=sys.stderr)
PY
done
