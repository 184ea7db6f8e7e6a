#!/usr/bin/env bash
# Property-based API testing: schemathesis generates requests for every operation of
# /api/v1/docs.json (valid and invalid ones) against a freshly started server, with an admin
# token, and fails on any 5xx, undocumented status or content type, or a body that does not
# match its schema.
#
#   bash tests/schemathesis/run.sh                 # on a new SQLite database
#   bash tests/schemathesis/run.sh postgres://...  # on a new database on this server
#
# ROSTER_ST_EXAMPLES (default 100) bounds the cases per operation and phase,
# ROSTER_ST_TIMEOUT (default 900 s) the whole run. ROSTER_ST_SEED fixes the generated
# cases (CI uses the default, so its runs are repeatable; set another to explore).
# Reports and schemathesis' own state: target/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/../.."

port=${ROSTER_ST_PORT:-18701}
examples=${ROSTER_ST_EXAMPLES:-100}
seed=${ROSTER_ST_SEED:-20261123}
budget=${ROSTER_ST_TIMEOUT:-900}
version=4.32.5
venv=$PWD/target/schemathesis/venv
reports=$PWD/target/schemathesis/report

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
cargo build --quiet --bin roster
binary=$PWD/target/debug/roster

work=$(mktemp -d)
server_url=${1:-}
if [[ -n $server_url ]]; then
    # A new database beside the given one, dropped at the end.
    name=roster_st_$$
    psql -q "$server_url" -c "CREATE DATABASE $name"
    database_url=${server_url%/*}/$name
else
    database_url=sqlite://$work/roster.db
fi
cleanup() {
    [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    [[ -n $server_url ]] && psql -q "$server_url" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"
    rm -rf "$work"
}
trap cleanup EXIT

export ROSTER_DATABASE_URL=$database_url
export ROSTER_BIND=127.0.0.1:$port
export ROSTER_TRUSTED_PROXIES=127.0.0.1/32
export RUST_LOG=warn
"$binary" serve >"$work/server.log" 2>&1 &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do
    curl -fs "$base/health/live" >/dev/null && break
    sleep 0.2
done

# The first account is the admin the hook signs in as.
curl -fs -X POST "$base/api/v1/register" -H 'content-type: application/json' \
    -d '{"username":"st-admin","password":"plum-kayak-41-zebra","email":"st-admin@example.com"}' \
    >/dev/null

mkdir -p "$reports"
status=0
# Run from target/, where schemathesis keeps its cache directories.
(cd target/schemathesis && ROSTER_ST_BASE=$base ROSTER_ST_BINARY=$binary \
    PYTHONPATH=$OLDPWD/tests/schemathesis SCHEMATHESIS_HOOKS=hooks \
    timeout "$budget" "$venv/bin/schemathesis" run "$base/api/v1/docs.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" \
    --workers 2 \
    --request-timeout 30 \
    --seed "$seed" --generation-database none \
    --report junit --report-dir "$reports") \
    || status=$?

if ! kill -0 "$pid" 2>/dev/null; then
    echo "schemathesis: the server died during the run" >&2
    status=1
fi
# actix-http itself logs malformed requests (which it answers 400) at ERROR; only
# panics and Roster's own errors count.
if grep -E "panicked|ERROR roster" "$work/server.log" >&2; then
    echo "schemathesis: the server logged errors (above)" >&2
    status=1
fi
echo "schemathesis: exit $status (junit report in $reports)"
exit "$status"
