#!/usr/bin/env bash
# SCIM 2.0 conformance by a third-party tester: scim2-tester (PyPI), run through
# scim2-cli's `test` command against a fresh Roster, with an API token of scope `scim`.
#
#   bash tests/scim/run.sh                          # on SQLite
#   bash tests/scim/run.sh postgres://.../postgres  # on a new database on this server
#
# The tools are installed into a virtual environment under target/ (kept between runs).
# Fails on any check the tester reports as failed. Bounded: the server stops on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --quiet --bin roster
roster=target/debug/roster
venv=target/scim-venv
if ! "$venv/bin/scim2" --help >/dev/null 2>&1; then
  python3 -m venv "$venv" 2>/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  }
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'scim2-cli==0.6.0' 'scim2-tester==0.5.2'
fi

work=$(mktemp -d)
port=${ROSTER_SCIM_PORT:-18751}
server_url=${1:-}
if [[ -n $server_url ]]; then
  # A new database beside the given one, dropped at the end.
  name=roster_scim_$$
  psql -q "$server_url" -c "CREATE DATABASE $name"
  database=${server_url%/*}/$name
else
  database=sqlite://$work/roster.db
fi
cleanup() {
  [ -n "${roster_pid:-}" ] && kill "$roster_pid" 2>/dev/null && wait "$roster_pid" 2>/dev/null
  [[ -n $server_url ]] && psql -q "$server_url" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"
  rm -rf "$work"
}
trap cleanup EXIT
ROSTER_DATABASE_URL="$database" ROSTER_BIND="127.0.0.1:$port" RUST_LOG=warn \
  "$roster" serve 2>"$work/roster.log" &
roster_pid=$!
api="http://127.0.0.1:$port/api/v1"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done

field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
curl -sf "$api/register" -H 'Content-Type: application/json' \
  -d '{"username": "admin", "password": "scim-harbor-lantern-7", "email": "admin@example.test"}' >/dev/null
session=$(curl -sf "$api/login" -H 'Content-Type: application/json' \
  -d '{"username": "admin", "password": "scim-harbor-lantern-7"}' | field '["token"]')
token=$(curl -sf -X PUT "$api/tokens" -H "Authorization: Bearer $session" -H 'Content-Type: application/json' \
  -d '{"title": "scim2-tester", "scopes": ["scim"]}' | field '["token"]')

# The secret travels in the environment, not on a command line others can read.
export SCIM_CLI_HEADERS="Authorization: Bearer $token"
status=0
timeout 600 "$venv/bin/scim2" --url "http://127.0.0.1:$port/scim/v2" test --verbose \
  >"$work/report.txt" 2>&1 || status=$?
cat "$work/report.txt"
# Each check's line starts with its status; anything but SUCCESS (SKIPPED too) fails.
passed=$(grep -c '^SUCCESS ' "$work/report.txt" || true)
failed=$(grep -cE '^(ERROR|CRITICAL|SKIPPED|DEVIATION|COMPLIANT|ACCEPTABLE) ' "$work/report.txt" || true)
echo "scim2-tester against $(echo "$database" | cut -d: -f1): exit $status, $passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  echo "--- roster log"; tail -50 "$work/roster.log"
  exit 1
fi
