#!/usr/bin/env bash
# Forward-auth against GET /api/v1/user, alternating in one run (a quiet comparison of the
# two; benches/run.sh has both beside the framework's reference too). nginx's
# auth_request as it arrives: a session, X-Original-URL, two rules to fall through.
#
#   bash benches/forward_auth.sh            # ROSTER_BENCH_SECONDS (default 8) per run, 3 rounds
# Port 18899. Bounded: wrk runs for a set time; the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${ROSTER_BENCH_SECONDS:-8}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
cargo build --quiet --release --bin roster
work=$(mktemp -d)
ROSTER_DATABASE_URL="sqlite://$work/r.db" ROSTER_BIND=127.0.0.1:18899 RUST_LOG=warn ROSTER_TRUSTED_PROXIES=127.0.0.1/32 \
  ROSTER_ACCESS='[{"host": "wiki.example.com", "path": "/admin", "allow": "admins"}, {"host": "*.ops.example.com", "allow": ["alice", "group:ops"]}]' \
  target/release/roster serve 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
base=http://127.0.0.1:18899/api/v1
for _ in $(seq 100); do curl -fs "$base/info" >/dev/null 2>&1 && break; sleep 0.1; done
curl -s -X POST "$base/register" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"correct-horse-1","email":"admin@example.com"}' >/dev/null
token=$(curl -s "$base/login" -d username=admin -d password=correct-horse-1 | sed 's/.*"token":"\([^"]*\)".*/\1/')
run() { wrk -t2 -c64 -d"${seconds}s" --timeout 10s -s benches/report.lua -H "Authorization: Bearer $token" "$@" | awk '/^RESULT/ {print $2, $4}'; }
echo "| round | GET /user req/s | p99 ms | /auth/request req/s | p99 ms | ratio |"
echo "|---|---|---|---|---|---|"
for round in 1 2 3; do
  read -r user_rps user_p99 < <(run "$base/user")
  read -r fwd_rps fwd_p99 < <(run -H 'X-Original-URL: https://app.example.com/some/page?x=1' "$base/auth/request")
  echo "| $round | $user_rps | $user_p99 | $fwd_rps | $fwd_p99 | $(awk -v a="$fwd_rps" -v b="$user_rps" 'BEGIN {printf "%.2f×", a / b}') |"
done
