#!/usr/bin/env bash
# The memory soak of docs/performance.md: Roster under a mixed load for a set time, its
# resident memory sampled every 10 s, and the growth after the warm-up printed, on SQLite
# and (when ROSTER_SOAK_POSTGRES_URL names a server to make a database on) PostgreSQL.
#
#   bash benches/soak.sh                  # 30 minutes, SQLite
#   ROSTER_SOAK_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres bash benches/soak.sh
#
# ROSTER_SOAK_MINUTES (default 30) per backend, ROSTER_SOAK_WARMUP_MINUTES (default 5),
# ROSTER_SOAK_USERS (default 100000 seeded, varied, by benches/seed_users.py),
# ROSTER_SOAK_BINARY (default: the release build) to soak another build. The load
# (benches/soak.lua): 32 connections, 70% GET /users/:id, 15% ?s= search, 10% PUT /users
# (each hashing a password), 5% POST /users/:id. Access log (to a file) and metrics stay on,
# as users run them. Port ROSTER_SOAK_PORT (default 18821) and the next one (metrics); wrk
# stops by itself at the end. ROSTER_SOAK_BACKENDS (default "sqlite postgres") picks.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${ROSTER_SOAK_MINUTES:-30}
warmup=${ROSTER_SOAK_WARMUP_MINUTES:-5}
users=${ROSTER_SOAK_USERS:-100000}
pg_admin=${ROSTER_SOAK_POSTGRES_URL:-}
port=${ROSTER_SOAK_PORT:-18821}
backends=${ROSTER_SOAK_BACKENDS:-sqlite postgres}
export ROSTER_BENCH_DIR=$PWD/benches
password=plum-kayak-41-zebra

command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
if [[ -z ${ROSTER_SOAK_BINARY:-} ]]; then
    cargo build --quiet --release --bin roster
fi
work=$(mktemp -d)
# A copy: a rebuild while the soak runs must not change what is measured.
cp "${ROSTER_SOAK_BINARY:-target/release/roster}" "$work/roster"
roster=$work/roster

pids=()
pg_db=
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ -n $pg_db ]] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

ROSTER_DATABASE_URL=sqlite://$work/scratch.db "$roster" user create scratch --password-stdin <<<"$password" >/dev/null
hash=$(ROSTER_DATABASE_URL=sqlite://$work/scratch.db "$roster" user export 2>/dev/null |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["passwordHash"])')
python3 benches/seed_users.py "$users" "$hash" >"$work/seed.jsonl"

soak() { # label database-url
    local label=$1 url=$2
    ROSTER_DATABASE_URL=$url "$roster" user import "$work/seed.jsonl" >/dev/null
    ROSTER_DATABASE_URL=$url "$roster" user create soakadmin --admin --password-stdin <<<"$password" >/dev/null
    ROSTER_DATABASE_URL=$url ROSTER_BIND=127.0.0.1:$port ROSTER_METRICS_BIND=127.0.0.1:$((port + 1)) \
        "$roster" serve >"$work/$label.log" 2>&1 &
    local server=$!
    pids+=("$server")
    for _ in $(seq 300); do curl -fs http://127.0.0.1:$port/health/live >/dev/null 2>&1 && break; sleep 0.1; done
    local token
    token=$(curl -fs -X POST http://127.0.0.1:$port/api/v1/login -H 'content-type: application/json' \
        -d "{\"username\":\"soakadmin\",\"password\":\"$password\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    ROSTER_SOAK_TOKEN=$token ROSTER_SOAK_USERS=$users \
        wrk -t2 -c32 -d"${minutes}m" --timeout 10s -s benches/soak.lua http://127.0.0.1:$port \
        >"$work/$label.wrk" &
    local load=$!
    local samples=$work/$label.rss
    local started=$SECONDS
    while kill -0 "$load" 2>/dev/null; do
        echo "$((SECONDS - started)) $(awk '$1 == "VmRSS:" || $1 == "Threads:" {printf "%s ", $2}' "/proc/$server/status")" >>"$samples"
        sleep 10
    done
    wait "$load"
    kill "$server"
    wait "$server" 2>/dev/null || true
    python3 - "$label" "$samples" "$((warmup * 60))" "$work/$label.wrk" <<'PY'
import sys
label, path, warmup, wrk = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = [tuple(map(int, line.split()[:3])) for line in open(path) if len(line.split()) == 3]
after = [(t, kib / 1024) for t, kib, _ in rows if t >= warmup]
if len(after) < 2:
    sys.exit(f"{label}: too short a run for a {warmup} s warm-up")
n = len(after)
mt = sum(t for t, _ in after) / n
mm = sum(m for _, m in after) / n
slope = sum((t - mt) * (m - mm) for t, m in after) / sum((t - mt) ** 2 for t, _ in after)
start, end = after[0][1], after[-1][1]
peak = max(m for _, m in after)
result = next(line.split() for line in open(wrk) if line.startswith("RESULT"))
print(f"{label}: {rows[-1][0] // 60} min, {result[1]} req/s ({result[4]} non-2xx, {result[5]} errors); "
      f"RSS {rows[0][1] / 1024:.0f} MiB at start, {start:.1f} MiB after the warm-up, {end:.1f} MiB at the end, "
      f"peak {peak:.1f} MiB after the warm-up; growth after the warm-up {end - start:+.1f} MiB "
      f"(slope {slope * 60:+.2f} MiB/min by least squares)")
print("  samples (s:MiB:threads):", " ".join(f"{t}:{kib / 1024:.0f}:{n}" for t, kib, n in rows[:: max(1, len(rows) // 20)]))
PY
}

if [[ $backends == *sqlite* ]]; then
    soak SQLite "sqlite://$work/soak.db"
fi
if [[ -n $pg_admin && $backends == *postgres* ]]; then
    pg_db=roster_soak_$$
    psql -q "$pg_admin" -c "CREATE DATABASE $pg_db"
    soak PostgreSQL "${pg_admin%/*}/$pg_db?sslmode=disable"
fi
