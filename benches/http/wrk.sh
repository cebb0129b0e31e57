#!/usr/bin/env bash
# Load figures for the service (issue #6): wrk against the stock, review-queue
# and CDS Hooks endpoints at 64 and 256 connections on SQLite, and the time
# from upload to needs_review. Run from the repository root after
# `cargo build --release`; needs wrk (Debian: apt-get install wrk), curl, jq.
# RXFLOW_BIN names another build, to compare two.
#   benches/http/wrk.sh [DURATION_SECONDS]
set -euo pipefail
duration="${1:-15}"
bin="${RXFLOW_BIN:-target/release/rxflow}"
photos=(tests/fixtures/intake/rx000[1-3]_photo.jpg)
work="$(mktemp -d)"
port=18099
export RXFLOW_DATABASE_URL="sqlite://$work/rxflow.db?mode=rwc" RXFLOW_DATA_DIR="$work" \
       RXFLOW_BIND="127.0.0.1:$port" RXFLOW_LOG_FORMAT=json RUST_LOG=warn
base="http://127.0.0.1:$port"
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT

# The photos `make run` sends, so the queue holds what a pharmacist sees.
"$bin" demo seed --days 90 "${photos[@]/#/--photo=}" >/dev/null
"$bin" serve >/dev/null 2>"$work/server.log" &
server=$!
until curl -sf "$base/readyz" >/dev/null; do sleep 0.2; done

login() {
  curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$1-demo-2026\",\"token\":true}" | jq -r .token
}
rph=$(login pharmacist)
customer=$(login margaret)
until [ "$(curl -sf -H "Authorization: Bearer $rph" "$base/api/v1/review/queue" | jq length)" = "${#photos[@]}" ]; do
  sleep 0.5
done

cat >"$work/cds.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $rph"
wrk.body = io.open("api/tests/fixtures/cds/order-sign.json"):read("*a")
LUA

run() { # name connections url [extra wrk args]
  local name=$1 conns=$2 url=$3; shift 3
  local out
  out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency "$@" "$url")
  printf '%-22s c=%-3s %10s req/s  p50 %8s  p99 %8s  non-2xx %s\n' "$name" "$conns" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk '/Non-2xx/ {print $5}' <<<"$out" | tr -d '\n')"
}
for c in 64 256; do
  run "GET stock" "$c" "$base/api/v1/products/1/stock" -H "Authorization: Bearer $rph"
  run "GET review queue" "$c" "$base/api/v1/review/queue?limit=20" -H "Authorization: Bearer $rph"
  run "POST cds order-sign" "$c" "$base/cds-services/rxflow-medication-safety" -s "$work/cds.lua"
done

# Upload to needs_review, one photo at a time (one worker).
for i in 1 2 3 4 5; do
  start=$(date +%s.%N)
  rx=$(curl -sf -H "Authorization: Bearer $customer" -F image=@tests/fixtures/intake/rx0002_photo.jpg \
       "$base/api/v1/prescriptions" | jq -r .prescription_id)
  until [ "$(curl -sf -H "Authorization: Bearer $customer" "$base/api/v1/prescriptions/$rx/status" | jq -r .done)" = true ]; do
    sleep 0.05
  done
  echo "upload→needs_review #$i: $(echo "$(date +%s.%N) - $start" | bc) s"
done
