#!/usr/bin/env bash
# SCIM filters on a million users, against the v1 lookup of one user by id, one connection
# each (latency, not throughput), alternating in one run. The filters identity providers
# send before each write: `userName eq`, `emails.value eq`, `externalId eq`; and `sw`,
# which the lower(username) index answers too.
#
#   bash benches/scim_filter.sh                  # SQLite
#   bash benches/scim_filter.sh postgres://postgres@127.0.0.1:5432/postgres   # a new database there
#
# ROSTER_BENCH_USERS (default 1000000), ROSTER_BENCH_SECONDS (default 5) per wrk run.
# Port 18898. Bounded: wrk runs for a set time; the server and database go at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${ROSTER_BENCH_USERS:-1000000}
seconds=${ROSTER_BENCH_SECONDS:-5}
server_url=${1:-}
password=plum-kayak-41-zebra
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
cargo build --quiet --release --bin roster
roster=target/release/roster
work=$(mktemp -d)
if [[ -n $server_url ]]; then
  db_name=roster_scim_bench_$$
  psql -q "$server_url" -c "CREATE DATABASE $db_name"
  database=${server_url%/*}/$db_name
else
  database=sqlite://$work/r.db
fi
cleanup() {
  [[ -n ${pid:-} ]] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
  [[ -n $server_url ]] && psql -q "$server_url" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)"
  rm -rf "$work"
}
trap cleanup EXIT

# Every user gets one pre-made hash (seeding must not spend an hour hashing), and every
# 1000th user an external id.
ROSTER_DATABASE_URL=sqlite://$work/scratch.db "$roster" user create scratch --password-stdin <<<"$password" >/dev/null
hash=$(ROSTER_DATABASE_URL=sqlite://$work/scratch.db "$roster" user export | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["passwordHash"])')
python3 benches/seed_users.py "$users" "$hash" >"$work/users.jsonl"
echo "seeding $users users into ${database%%:*}…" >&2
ROSTER_DATABASE_URL=$database "$roster" user import "$work/users.jsonl" >&2
ROSTER_DATABASE_URL=$database "$roster" user create benchadmin --admin --password-stdin <<<"$password" >/dev/null

ROSTER_DATABASE_URL=$database ROSTER_BIND=127.0.0.1:18898 RUST_LOG=warn "$roster" serve 2>"$work/log" &
pid=$!
base=http://127.0.0.1:18898
for _ in $(seq 300); do curl -fs "$base/health/live" >/dev/null 2>&1 && break; sleep 0.1; done
session=$(curl -fs "$base/api/v1/login" -H 'content-type: application/json' \
  -d "{\"username\":\"benchadmin\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
token=$(curl -fs -X PUT "$base/api/v1/tokens" -H "Authorization: Bearer $session" -H 'content-type: application/json' \
  -d '{"title": "bench", "scopes": ["scim", "users:read"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
middle=$((users / 2))
name=$(sed -n "$((middle + 1))p" "$work/users.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["username"])')
external=$(curl -fs "$base/scim/v2/Users?filter=userName%20eq%20%22$name%22" -H "Authorization: Bearer $token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Resources"][0]["id"])')
curl -fs -X PATCH "$base/scim/v2/Users/$external" -H "Authorization: Bearer $token" -H 'content-type: application/scim+json' \
  -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"externalId","value":"ext-bench-1"}]}' >/dev/null
email=$(curl -fs "$base/api/v1/users/$external" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["email"])')

encode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
run() { wrk -t1 -c1 -d"${seconds}s" --timeout 10s -s benches/report.lua -H "Authorization: Bearer $token" "$1" | awk '/^RESULT/ {print $3, $4, $5}'; }
check() { # the filter must find exactly one user, or the figures mean nothing
  local total
  total=$(curl -fs "$1" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalResults"])')
  [[ $total == 1 ]] || { echo "$1 found $total users, not 1" >&2; exit 1; }
}
declare -A urls=(
  ["userName eq"]="$base/scim/v2/Users?filter=$(encode "userName eq \"$name\"")"
  ["emails.value eq"]="$base/scim/v2/Users?filter=$(encode "emails.value eq \"$email\"")"
  ["externalId eq"]="$base/scim/v2/Users?filter=$(encode 'externalId eq "ext-bench-1"')"
  ["userName sw"]="$base/scim/v2/Users?filter=$(encode "userName sw \"$name\"")"
  ["v1 GET /users?s=<name>"]="$base/api/v1/users?s=$name"
)
for filter in "userName eq" "emails.value eq" "externalId eq"; do check "${urls[$filter]}"; done
echo "SCIM filters on $users users (${database%%:*}), one connection, ${seconds}s per run: p50 ms (p99 ms), ratio of p50 to v1's GET /users/{id} measured just before"
echo "| filter | v1 by id p50 | filter p50 (p99) | ratio | non-2xx |"
echo "|---|---|---|---|---|"
for filter in "userName eq" "emails.value eq" "externalId eq" "userName sw" "v1 GET /users?s=<name>"; do
  read -r v1_p50 _ _ < <(run "$base/api/v1/users/$external")
  read -r p50 p99 bad < <(run "${urls[$filter]}")
  echo "| $filter | $v1_p50 | $p50 ($p99) | $(awk -v a="$p50" -v b="$v1_p50" 'BEGIN {printf "%.2f×", a / b}') | $bad |"
done
