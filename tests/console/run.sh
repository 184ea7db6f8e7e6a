#!/usr/bin/env bash
# The admin console in headless Chromium: installs playwright-core and axe-core from npm
# (pinned by package-lock.json; nothing downloads a browser), builds roster, and runs
# console.test.mjs against a fresh server driving Debian's /usr/bin/chromium.
# Screenshots go to target/console/ (ROSTER_SCREENSHOT_DIR=docs/images refreshes the
# README's). Prints TAP; the "# pass" / "# fail" lines are what CI counts.
#
#   bash tests/console/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || { echo "console: chromium is missing (apt-get install chromium)" >&2; exit 1; }
command -v npm >/dev/null || { echo "console: node and npm are needed" >&2; exit 1; }

# npm ci only when the lock file changed since the last install (a copy of it is kept
# beside the modules; npm's own .package-lock.json has another format and never matches).
if ! cmp -s tests/console/package-lock.json tests/console/node_modules/.roster-installed-lock 2>/dev/null; then
    (cd tests/console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error \
        && cp package-lock.json node_modules/.roster-installed-lock)
fi
cargo build --quiet --bin roster
cd tests/console
timeout 600 node --test --test-reporter=tap --test-concurrency=1 console.test.mjs
