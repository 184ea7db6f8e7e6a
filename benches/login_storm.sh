#!/usr/bin/env bash
# Login storm: many concurrent logins against a release build on loopback, bounded in time.
# Reports logins/s, how many were turned away with 503 (hashing queue full), the latency of
# GET /api/v1/info meanwhile, and the process's peak resident memory against the bound
# permits x 19 MiB + 100 MiB.
#
#   bash benches/login_storm.sh [connections] [seconds]      (defaults: 200 20)
set -euo pipefail
cd "$(dirname "$0")/.."

connections=${1:-200}
seconds=${2:-20}
port=${ROSTER_BENCH_PORT:-18567}
base="http://127.0.0.1:$port/api/v1"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
ROSTER_DATABASE_URL="sqlite://$work/bench.db" ROSTER_BIND="127.0.0.1:$port" RUST_LOG=warn \
  target/release/roster serve &
pid=$!
for _ in $(seq 1 50); do curl -sf "$base/info" >/dev/null && break; sleep 0.2; done

password='storm-glacier-kettle-9'
curl -sf "$base/register" -H 'Content-Type: application/json' \
  -d "{\"username\": \"storm\", \"password\": \"$password\", \"email\": \"storm@example.com\"}" >/dev/null

cat > "$work/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username": "storm", "password": "$password"}'
local counts = {}
response = function(status) counts[status] = (counts[status] or 0) + 1 end
done = function() end
LUA

idle_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$work/login.lua" "$base/login" \
  > "$work/storm.txt" &
storm=$!
sleep 2
wrk -t1 -c1 -d"$((seconds - 4))s" --latency "$base/info" > "$work/info.txt"
wait "$storm"
peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

permits=$(nproc)
total=$(awk '/requests in/ {print $1}' "$work/storm.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/storm.txt")
non2xx=${non2xx:-0}
ok=$((total - non2xx))
echo "login storm: $connections connections for ${seconds}s, $permits hashing permits"
echo "  logins answered 200:      $ok ($((ok / seconds))/s)"
echo "  turned away (503 5031):   $non2xx"
echo "  /info during the storm:   $(awk '/ 50%/ {print "p50 " $2}' "$work/info.txt"), $(awk '/ 99%/ {print "p99 " $2}' "$work/info.txt"), $(awk '/Requests\/sec/ {print $2 " req/s"}' "$work/info.txt")"
echo "  resident memory:          idle $((idle_kib / 1024)) MiB, peak $((peak_kib / 1024)) MiB, bound $((permits * 19 + 100)) MiB"
