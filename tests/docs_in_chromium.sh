#!/usr/bin/env bash
# The interactive API docs in a real browser: headless Chromium (Debian's package) loads
# /api/v1/docs from a fresh server, with no network but loopback, and the users operations
# must be listed once Swagger UI has rendered them. Leaves a screenshot for the CI log.
#
#   bash tests/docs_in_chromium.sh
set -euo pipefail
cd "$(dirname "$0")/.."

port=18711
browser=${CHROMIUM:-/usr/bin/chromium}
shot=$PWD/target/docs-in-chromium.png
[[ -x $browser ]] || { echo "docs_in_chromium: $browser is missing (apt-get install chromium)" >&2; exit 1; }

cargo build --quiet --bin roster
work=$(mktemp -d)
cleanup() {
    [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
ROSTER_DATABASE_URL=sqlite://$work/roster.db ROSTER_BIND=127.0.0.1:$port RUST_LOG=warn \
    target/debug/roster serve >"$work/server.log" 2>&1 &
pid=$!
url=http://127.0.0.1:$port/api/v1/docs
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/health/live" >/dev/null && break
    sleep 0.2
done

chromium() {
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-quic \
        --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}

# Swagger UI renders after fetching docs.json; virtual time lets the page settle, and a
# slow machine gets a few more tries.
rendered=
for budget in 5000 15000 30000; do
    chromium --virtual-time-budget="$budget" --dump-dom "$url" >"$work/dom.html" || true
    if grep -q 'class="opblock-summary-path"' "$work/dom.html"; then
        rendered=yes
        break
    fi
done
failures=0
check() {
    if grep -qF -- "$1" "$work/dom.html"; then
        echo "ok: $2"
    else
        echo "FAILED: $2" >&2
        failures=$((failures + 1))
    fi
}
[[ -n $rendered ]] || { echo "FAILED: no operation rendered" >&2; failures=1; }
check 'data-path="/api/v1/users"' "the users list and create operations are listed"
check 'data-path="/api/v1/users/{id}"' "the get, update and delete operations are listed"
check 'data-path="/api/v1/users/{id}/password"' "the password operation is listed"
check 'List users' "operation summaries are shown"
check 'Roster' "the title is shown"
operations=$(grep -o 'class="opblock-summary-path"' "$work/dom.html" | wc -l)
# As many as the committed document describes.
described=$(python3 -c 'import json, sys
paths = json.load(open(sys.argv[1]))["paths"].values()
print(sum(m in ("get", "put", "post", "delete") for item in paths for m in item))' docs/openapi.json)
if [[ $operations -eq $described ]]; then
    echo "ok: all $described operations are rendered"
else
    echo "FAILED: $operations operations rendered, $described described" >&2
    failures=$((failures + 1))
fi

chromium --virtual-time-budget=15000 --window-size=1280,2400 --screenshot="$shot" "$url" >/dev/null || true
if [[ -s $shot ]]; then
    echo "artifact: screenshot of $url at $shot"
else
    echo "FAILED: no screenshot" >&2
    failures=$((failures + 1))
fi
exit $((failures > 0))
