#!/usr/bin/env bash
# The Debian package, installed for real: builds it, installs it with dpkg -i, checks the
# unit with systemd-analyze verify, starts /usr/bin/roster the way the unit does (as the
# roster user, with the packaged configuration, in the state directory; this sandbox has
# no systemd as PID 1), asks `roster healthcheck`, then purges the package. Needs root.
# Prints one "ok: …" or "FAILED: …" line per check (what CI counts).
#
#   bash packaging/debian/check.sh
set -uo pipefail
cd "$(dirname "$0")/../.."

failed=0
log=$(mktemp)
check() { # name command...
    local name=$1; shift
    if "$@" >"$log" 2>&1; then
        echo "ok: package: $name"
    else
        echo "FAILED: package: $name"; sed 's/^/    /' "$log"; failed=1
    fi
}
as_roster() { runuser -u roster -- /usr/bin/roster --config /etc/roster/roster.toml "$@"; }
ready_within() { # seconds
    for _ in $(seq $(($1 * 4))); do as_roster healthcheck && return 0; sleep 0.25; done
    return 1
}

package=$(bash packaging/debian/build.sh) || { echo "FAILED: package: build"; exit 1; }
echo "built $package ($(du -h "$package" | cut -f1))"
# A leftover from an interrupted run would make this a reinstall.
dpkg --purge roster >/dev/null 2>&1

check "dpkg -i installs it" dpkg -i "$package"
check "the roster system user exists, without a login shell" \
    sh -c 'getent passwd roster | grep -q ":/var/lib/roster:/usr/sbin/nologin$"'
check "the configuration is a conffile only root and roster read" \
    sh -c 'dpkg-query -W -f="\${Conffiles}" roster | grep -q /etc/roster/roster.toml &&
           test "$(stat -c "%U:%G %a" /etc/roster/roster.toml)" = "root:roster 640"'
check "the state directory belongs to roster" \
    test "$(stat -c '%U:%G %a' /var/lib/roster)" = "roster:roster 750"
check "systemd-analyze verify accepts the unit" systemd-analyze verify roster.service

(cd /var/lib/roster && exec runuser -u roster -- /usr/bin/roster --config /etc/roster/roster.toml serve) \
    >"$log.serve" 2>&1 &
server=$!
check "roster healthcheck reports it ready" ready_within 30
check "it serves the API" sh -c 'curl -fsS http://127.0.0.1:3456/api/v1/info | grep -q registrationEnabled'
check "its SQLite database is in the state directory, owned by roster" \
    test "$(stat -c %U /var/lib/roster/roster.db)" = roster
# SIGTERM to the service's process, as systemd sends it.
pkill -TERM -u roster -x roster
check "SIGTERM stops it cleanly (exit 0)" wait "$server"
check "roster healthcheck fails once it is gone" sh -c '! runuser -u roster -- /usr/bin/roster --config /etc/roster/roster.toml healthcheck'

check "dpkg --purge removes the binary, the unit and the configuration" \
    sh -c 'dpkg --purge roster && ! test -e /usr/bin/roster &&
           ! test -e /lib/systemd/system/roster.service && ! test -e /etc/roster'
rm -rf /var/lib/roster "$log" "$log.serve"
exit "$failed"
