#!/usr/bin/env bash
# The performance benchmark of docs/performance.md: builds release, seeds users by
# `roster user import`, starts Roster, drives it with wrk over loopback (bounded in time),
# and compares each figure with its reference measured in the same run:
#   - reads against a minimal actix-web server answering a fixed user after a fixed token
#     check (benches/reference_server.rs): the framework's ceiling here;
#   - search against the naive LIKE scan on the same database;
#   - logins against cores ÷ one argon2id verification (benches/argon2_verify.rs).
#
#   bash benches/run.sh                 # SQLite; PostgreSQL too when
#   ROSTER_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres bash benches/run.sh
#
# ROSTER_BENCH_SECONDS (default 10) per wrk run, ROSTER_BENCH_USERS (default 1000000) for
# the search database (users with varied names and addresses: benches/seed_users.py).
# Ports 18801 (reference), 18811 (Roster) and 18812 (its metrics).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${ROSTER_BENCH_SECONDS:-10}
big=${ROSTER_BENCH_USERS:-1000000}
pg_admin=${ROSTER_BENCH_POSTGRES_URL:-}
cores=$(nproc)
export ROSTER_BENCH_DIR=$PWD/benches
password=plum-kayak-41-zebra

command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
cargo build --quiet --release --bin roster
cargo bench --quiet --no-run --bench reference_server --bench argon2_verify 2>/dev/null
roster=$PWD/target/release/roster

work=$(mktemp -d)
pids=()
pg_db=
cleanup() {
    for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [[ -n $pg_db ]] && psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

results=$work/results
row() { printf '%s\n' "$*" >>"$results"; }

# wrk's RESULT line: rps p50 p99 non2xx errors
load() { # connections threads url [extra wrk args...]
    local connections=$1 threads=$2 url=$3; shift 3
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s "$@" "$url" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}
wait_up() { for _ in $(seq 300); do curl -fs "http://127.0.0.1:$1/health/live" >/dev/null 2>&1 && return; sleep 0.1; done; echo "port $1 did not come up" >&2; exit 1; }
rss_kib() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
login() { curl -fs -X POST "http://127.0.0.1:18811/api/v1/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }

start_roster() { # database-url
    # 16 logins of one user at once: the username's limit must leave room for them all in
    # flight (each counts as a possible failure until its password is checked).
    # Forward-auth as deployed: the proxy trusted, and rules to match (the asked-for URL
    # falls through them to the default).
    # The access log (to a file) and metrics on, as users run them: RUST_LOG's default.
    ROSTER_DATABASE_URL=$1 ROSTER_BIND=127.0.0.1:18811 ROSTER_METRICS_BIND=127.0.0.1:18812 \
        ROSTER_THROTTLE_MAX_FAILURES=32 \
        ROSTER_TRUSTED_PROXIES=127.0.0.1/32 \
        ROSTER_ACCESS='[{"host": "wiki.example.com", "path": "/admin", "allow": "admins"}, {"host": "*.ops.example.com", "allow": ["alice", "group:ops"]}]' \
        setsid "$roster" serve >>"$work/roster.log" 2>&1 &
    roster_pid=$!
    pids+=("$roster_pid")
    wait_up 18811
}
stop_roster() { kill "$roster_pid"; wait "$roster_pid" 2>/dev/null || true; }

# -- Seed files: every user has the hash of $password, made once. --------------------------
ROSTER_DATABASE_URL=sqlite://$work/scratch.db "$roster" user create scratch --password-stdin <<<"$password" >/dev/null
hash=$(ROSTER_DATABASE_URL=sqlite://$work/scratch.db "$roster" user export 2>/dev/null |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["passwordHash"])')
python3 benches/seed_users.py 10000 "$hash" >"$work/10k.jsonl"
python3 benches/seed_users.py "$big" "$hash" >"$work/big.jsonl"
seed() { # database-url file
    ROSTER_DATABASE_URL=$1 "$roster" user import "$2" | awk '{print $5}'
    ROSTER_DATABASE_URL=$1 "$roster" user create benchadmin --admin --password-stdin <<<"$password" >/dev/null
}

# -- Reads: Roster on 10k users vs the reference -----------------------------------------
echo "== reads (10k users, 64 connections, ${seconds}s each)" >&2
setsid cargo bench --quiet --bench reference_server -- 127.0.0.1:18801 >"$work/reference.log" 2>&1 &
pids+=("$!")
for _ in $(seq 600); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:18801/api/v1/users/5" || true) == 401 ]] && break
    sleep 0.1
done
reference=$(load 64 2 "http://127.0.0.1:18801/api/v1/users/5" -s benches/report.lua \
    -H "Authorization: Bearer reference-token-0123456789abcdefghijklmnopqrstuv")

seed "sqlite://$work/10k.db" "$work/10k.jsonl" >/dev/null
start_roster "sqlite://$work/10k.db"
token=$(login benchadmin)
by_id=$(load 64 2 "http://127.0.0.1:18811/api/v1/users/5" -s benches/report.lua -H "Authorization: Bearer $token")
current=$(load 64 2 "http://127.0.0.1:18811/api/v1/user" -s benches/report.lua -H "Authorization: Bearer $token")
# nginx's auth_request, as its subrequest arrives: the session, and the URL it guards.
forward=$(load 64 2 "http://127.0.0.1:18811/api/v1/auth/request" -s benches/report.lua -H "Authorization: Bearer $token" \
    -H "X-Original-URL: https://app.example.com/some/page?x=1")

# -- Logins: a 16-connection storm, and GET /user beside it ------------------------------
echo "== login storm (16 connections) with GET /api/v1/user beside it" >&2
argon2=$(cargo bench --quiet --bench argon2_verify 2>/dev/null)
verify_ms=$(awk '/verify ms alone/ {print $5}' <<<"$argon2")
busy_rate=$(awk '/per second on/ {print $NF}' <<<"$argon2")
# The rate alone; then a second storm with one client reading beside it, for its latency.
logins=$(load 16 1 "http://127.0.0.1:18811/api/v1/login" -s benches/login.lua)
load 16 1 "http://127.0.0.1:18811/api/v1/login" -s benches/login.lua >/dev/null &
storm=$!
sleep 1
beside=$(seconds=$((seconds - 2)) load 1 1 "http://127.0.0.1:18811/api/v1/user" -s benches/report.lua -H "Authorization: Bearer $token")
wait "$storm"
storm_peak=$(rss_kib "$roster_pid" VmHWM)
stop_roster

# -- Search on the big database ------------------------------------------------------------
search_rows() { # label database-url naive-command
    local label=$1 url=$2
    start_roster "$url"
    token=$(login benchadmin)
    for term in zyqvorn lindqvist; do
        local answer
        answer=$(load 1 1 "http://127.0.0.1:18811/api/v1/users?s=$term" -s benches/report.lua -H "Authorization: Bearer $token")
        local naive
        naive=$("$3" "$term")
        row "search|$label|$term|$answer|$naive"
    done
    idle_rss=$(rss_kib "$roster_pid" VmRSS)
    row "idle|$label|$idle_rss"
    stop_roster
}
naive_sqlite() { # the contract's rule as a plain scan, count + first page, median of 5
    python3 - "$work/big.db" "$1" <<'PY'
import sqlite3, statistics, sys, time
db = sqlite3.connect(sys.argv[1])
pattern = "%" + sys.argv[2] + "%"
where = ("lower(username) LIKE lower(?) ESCAPE '\\' OR lower(name) LIKE lower(?) ESCAPE '\\' "
         "OR lower(email) LIKE lower(?) ESCAPE '\\'")
times = []
for _ in range(5):
    started = time.perf_counter()
    db.execute(f"SELECT count(*) FROM users WHERE {where}", (pattern,) * 3).fetchall()
    db.execute(f"SELECT * FROM users WHERE {where} ORDER BY id LIMIT 50", (pattern,) * 3).fetchall()
    times.append((time.perf_counter() - started) * 1000)
print(f"{statistics.median(times):.3f}")
PY
}
naive_postgres() { # the same query with index scans switched off, median of 5
    local ms=()
    for _ in 1 2 3 4 5; do
        ms+=("$(psql -qAt "$pg_url" <<SQL | awk '/Execution Time/ {gsub(/[^0-9.]/, "", $0); sum += $0} END {print sum}'
SET enable_bitmapscan = off; SET enable_indexscan = off;
EXPLAIN ANALYZE SELECT count(*) FROM users WHERE lower(username) LIKE '%$1%' OR lower(name) LIKE '%$1%' OR lower(email) LIKE '%$1%';
EXPLAIN ANALYZE SELECT * FROM users WHERE lower(username) LIKE '%$1%' OR lower(name) LIKE '%$1%' OR lower(email) LIKE '%$1%' ORDER BY id LIMIT 50;
SQL
)")
    done
    printf '%s\n' "${ms[@]}" | sort -n | sed -n 3p
}

echo "== search on $big users, SQLite (importing)" >&2
import_seconds=$(seed "sqlite://$work/big.db" "$work/big.jsonl")
row "import|SQLite|$import_seconds"
search_rows SQLite "sqlite://$work/big.db" naive_sqlite

if [[ -n $pg_admin ]]; then
    echo "== search on $big users, PostgreSQL (importing)" >&2
    pg_db=roster_bench_$$
    psql -q "$pg_admin" -c "CREATE DATABASE $pg_db"
    pg_url="${pg_admin%/*}/$pg_db?sslmode=disable"
    import_seconds=$(seed "$pg_url" "$work/big.jsonl")
    row "import|PostgreSQL|$import_seconds"
    psql -q "$pg_url" -c "VACUUM ANALYZE users"
    search_rows PostgreSQL "$pg_url" naive_postgres
fi

# -- The table -------------------------------------------------------------------------------
python3 - "$results" "$reference" "$by_id" "$current" "$logins" "$beside" "$verify_ms" "$cores" "$storm_peak" "$big" "$busy_rate" "$forward" <<'PY'
import sys
results, reference, by_id, current, logins, beside, verify_ms, cores, storm_peak, big, busy_rate, forward = sys.argv[1:]
def parse(line):
    rps, p50, p99, non2xx, errors = line.split()
    return float(rps), float(p50), float(p99), int(non2xx), int(errors)
ref = parse(reference)
print(f"\nRoster benchmark, one run, {cores} cores; wrk over loopback on the same machine.\n")
print("| scenario | req/s | p50 ms | p99 ms | reference | ratio | target |")
print("|---|---|---|---|---|---|---|")
print(f"| reference: fixed user after a token check (actix-web only) | {ref[0]:.0f} | {ref[1]:.3f} | {ref[2]:.3f} | | | |")
for label, line in [("GET /api/v1/users/:id, 10k users, 64 conns", by_id), ("GET /api/v1/user, 64 conns", current), ("GET /api/v1/auth/request (forward-auth), 64 conns", forward)]:
    r = parse(line)
    bad = f" ({r[3]} non-2xx, {r[4]} errors)" if r[3] or r[4] else ""
    print(f"| {label}{bad} | {r[0]:.0f} | {r[1]:.3f} | {r[2]:.3f} | ceiling | {r[0]/ref[0]:.2f}× req/s, {r[2]/ref[2]:.2f}× p99 | ≥ 0.50× req/s, ≤ 3× p99 |")
l = parse(logins)
ceiling = int(cores) * 1000 / float(verify_ms)
busy = float(busy_rate)
print(f"| POST /api/v1/login, 16 conns ({l[3]} non-2xx) | {l[0]:.0f} | {l[1]:.1f} | {l[2]:.1f} | {ceiling:.0f}/s = {cores} cores ÷ {float(verify_ms):.1f} ms (one verify alone) | {l[0]/ceiling:.2f}× | ≥ 0.85× |")
print(f"| same, against verifications/s with all {cores} cores verifying | | | | {busy:.0f}/s = {cores} cores ÷ {int(cores)*1000/busy:.1f} ms | {l[0]/busy:.2f}× | ≥ 0.85× |")
b = parse(beside)
print(f"| GET /api/v1/user during a second such storm, 1 conn | {b[0]:.0f} | {b[1]:.3f} | {b[2]:.3f} | | p99 {b[2]:.2f} ms | p99 ≤ 10 ms |")
permits = int(cores)
print(f"| resident memory, peak during the storm | | | | {permits}×19+100 = {permits*19+100} MiB | {int(storm_peak)/1024:.0f} MiB | ≤ bound |")
for line in open(results):
    kind, *rest = line.strip().split("|")
    if kind == "search":
        backend, term, answer, naive = rest
        r = parse(answer)
        what = "rare term (5 matches)" if term == "zyqvorn" else "common term (10% of rows)"
        target = "p50 ≤ 5 ms, ≥ 50× faster" if term == "zyqvorn" else "p50 ≤ 50 ms"
        print(f"| GET /users?s={term}, {what}, {int(big):,} users, {backend} | {r[0]:.0f} | {r[1]:.2f} | {r[2]:.2f} | naive scan p50 {float(naive):.1f} ms | {float(naive)/r[1]:.0f}× faster | {target} |")
    elif kind == "idle":
        backend, rss = rest
        print(f"| resident memory idle after searches, {int(big):,} users, {backend} | | | | | {int(rss)/1024:.0f} MiB | ≤ 60 MiB |")
    elif kind == "import":
        backend, secs = rest
        print(f"| roster user import, {int(big):,} pre-hashed users, {backend} | | | | | {secs} s | ≤ 60 s |")
PY
