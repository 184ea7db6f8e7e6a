#!/usr/bin/env bash
# Clients generated from the OpenAPI document a running Roster serves, used for a whole
# session against it. Python: openapi-python-client (from PyPI, into target/clients/venv)
# must generate with no warning; then tests/clients/python/session.py, using only the
# generated functions and models, runs against the server. TypeScript: openapi-typescript
# + openapi-fetch (from npm, pinned by tests/clients/typescript/package-lock.json, into
# target/clients/typescript): session.ts must pass `tsc --noEmit --strict`, then runs.
# Prints "ok: …" / "FAILED: …" lines (what CI counts).
#
#   bash tests/clients/run.sh
#
# openapi-python-client is pinned to 0.27.1: 0.28 and 0.29 emit `| Unset` without importing
# it for a required body with two content types, so the package does not import (their
# issue #1451, open).
set -uo pipefail
cd "$(dirname "$0")/../.."

generator_version=0.27.1
work=$PWD/target/clients
venv=$work/venv
port=${ROSTER_CLIENTS_PORT:-18731}
base=http://127.0.0.1:$port

mkdir -p "$work"
if ! "$venv/bin/openapi-python-client" --version 2>/dev/null | grep -q "$generator_version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "openapi-python-client==$generator_version"
fi
cargo build --quiet --bin roster || { echo "FAILED: clients: build"; exit 1; }

scratch=$(mktemp -d)
server=
stop_server() { [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=; }
# A server on a new database: each session registers the first account, its admin.
start_server() { # name
    stop_server
    ROSTER_DATABASE_URL=sqlite://$scratch/$1.db ROSTER_BIND=127.0.0.1:$port RUST_LOG=warn \
        target/debug/roster serve >>"$scratch/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -fs "$base/health/ready" >/dev/null && return; sleep 0.1; done
}
trap 'stop_server; rm -rf "$scratch"' EXIT
start_server document

failed=0
curl -fsS "$base/api/v1/docs.json" -o "$work/openapi.json" || { echo "FAILED: clients: fetch the document"; exit 1; }

# -- Python ------------------------------------------------------------------------------
rm -rf "$work/python"
mkdir -p "$work/python"
printf 'post_hooks: []\n' >"$work/python/config.yaml"
generated=$(cd "$work/python" && "$venv/bin/openapi-python-client" generate --path "$work/openapi.json" \
    --meta none --config config.yaml --output-path roster_client 2>&1)
if [[ -d $work/python/roster_client ]] && ! grep -qi "warning" <<<"$generated"; then
    echo "ok: python client: openapi-python-client $generator_version generates with no warning"
else
    echo "FAILED: python client: generation"; sed 's/^/    /' <<<"$generated"; failed=1
fi
start_server python
if PYTHONPATH=$work/python "$venv/bin/python" tests/clients/python/session.py "$base"; then
    echo "ok: python client: the whole session"
else
    echo "FAILED: python client: the session stopped (above)"; failed=1
fi

# -- TypeScript --------------------------------------------------------------------------
ts=$work/typescript
mkdir -p "$ts"
cp tests/clients/typescript/{package.json,package-lock.json,tsconfig.json,session.ts} "$ts/"
# npm ci only when the lock file changed since the last install (see tests/console/run.sh).
if ! cmp -s "$ts/package-lock.json" "$ts/node_modules/.roster-installed-lock" 2>/dev/null; then
    (cd "$ts" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.roster-installed-lock) \
        || { echo "FAILED: typescript client: npm ci"; exit 1; }
fi
if (cd "$ts" && npx openapi-typescript "$work/openapi.json" -o schema.ts >/dev/null 2>&1); then
    echo "ok: typescript client: openapi-typescript generates the types"
else
    echo "FAILED: typescript client: openapi-typescript"; failed=1
fi
if (cd "$ts" && npx tsc --noEmit --strict -p .); then
    echo "ok: typescript client: session.ts passes tsc --noEmit --strict"
else
    echo "FAILED: typescript client: tsc (above)"; failed=1
fi
start_server typescript
if (cd "$ts" && npx tsc -p . && node out/session.js "$base"); then
    echo "ok: typescript client: the whole session"
else
    echo "FAILED: typescript client: the session stopped (above)"; failed=1
fi

if grep -E "panicked|ERROR" "$scratch/server.log"; then
    echo "FAILED: clients: the server logged errors (above)"; failed=1
fi
exit "$failed"
