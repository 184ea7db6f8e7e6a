#!/usr/bin/env bash
# A newcomer's first `cargo test`: a fresh clone of this repository (HEAD, or the revision
# given) with an empty target directory, timed from start to the last test. Crates come
# from cargo's local cache (fetched first, outside the timing), as on a machine that has
# built Rust before; everything is compiled.
#
#   bash benches/first_test.sh [revision]
set -euo pipefail
cd "$(dirname "$0")/.."
revision=${1:-HEAD}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q . "$work/roster"
git -C "$work/roster" checkout -q "$revision"
cd "$work/roster"
cargo fetch -q
started=$(date +%s)
CARGO_TARGET_DIR=$work/target cargo test -q >"$work/test.log" 2>&1 || { tail -30 "$work/test.log"; exit 1; }
finished=$(date +%s)
tests=$(awk '/^test result:/ {sum += $4} END {print sum}' "$work/test.log")
echo "first cargo test of $(git rev-parse --short HEAD): $((finished - started)) s ($tests tests passed, $(nproc) cores)"
