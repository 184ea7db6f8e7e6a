#!/usr/bin/env bash
# Roster behind nginx on loopback, with the proxy set-up of docs/operations.md: the API works
# through the proxy, the access log shows the address nginx saw (not a forged
# X-Forwarded-For), and CORS preflights are answered for the allowed origin only.
#
#   bash tests/behind_nginx.sh [path/to/roster]        (default: target/debug/roster)
# Installs nginx from Debian's packages when missing. Bounded: every wait has a limit.
set -euo pipefail
cd "$(dirname "$0")/.."

roster=${1:-target/debug/roster}
[ -x "$roster" ] || cargo build --quiet
command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
}

work=$(mktemp -d)
# Below the ephemeral range (32768+), so no client socket of the tests can hold them.
roster_port=18601
nginx_port=18602
client=127.0.0.3 # a loopback address that is not the proxy's
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "${roster_pid:-}" ] && kill "$roster_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ROSTER_DATABASE_URL="sqlite://$work/roster.db" ROSTER_BIND="127.0.0.1:$roster_port" \
  ROSTER_TRUSTED_PROXIES=127.0.0.1/32 ROSTER_CORS_ORIGINS=https://app.example.com RUST_LOG=info \
  "$roster" serve 2>"$work/roster.log" &
roster_pid=$!

mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<NGINX
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events {}
http {
    access_log $work/nginx/access.log;
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx;
    server {
        listen 127.0.0.1:$nginx_port;
        client_max_body_size 64k;
        location /api/ {
            proxy_pass http://127.0.0.1:$roster_port;
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
        # The admin console: its page and files; it calls /api/ on the same origin.
        location = / { proxy_pass http://127.0.0.1:$roster_port; }
        location /console/ { proxy_pass http://127.0.0.1:$roster_port; }
    }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work/nginx"

base="http://127.0.0.1:$nginx_port/api/v1"
for _ in $(seq 1 50); do curl -sf "$base/info" >/dev/null && break; sleep 0.2; done

passed=0
failed=0
check() { # name, then a command that must succeed
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
call() { curl -s --interface "$client" "$@"; }
token_of() { sed 's/.*"token":"\([^"]*\)".*/\1/'; }

admin=$(call "$base/register" -H 'Content-Type: application/json' \
  -d '{"username": "admin", "password": "nginx-glacier-kettle-1", "email": "admin@example.com"}' | token_of)
check "register through nginx" test "${#admin}" -eq 43
login=$(call "$base/login" -d username=admin -d password=nginx-glacier-kettle-1 | token_of)
check "login through nginx" test "${#login}" -eq 43
check "admin create through nginx" sh -c "curl -s --interface $client -X PUT '$base/users' \
  -H 'Authorization: Bearer $login' -d user='{\"username\": \"alice\", \"password\": \"alice-glacier-kettle-1\"}' \
  | grep -q '\"username\":\"alice\"'"
check "admin list through nginx" sh -c "curl -s --interface $client '$base/users' \
  -H 'Authorization: Bearer $login' | grep -q '\"username\":\"alice\"'"

# A client forging X-Forwarded-For: Roster logs the address nginx saw.
call "$base/info" -H 'X-Forwarded-For: 6.6.6.6' -H 'X-Request-Id: nginx-proof-1' >/dev/null
sleep 0.3
line=$(grep 'request_id="nginx-proof-1"' "$work/roster.log" || true)
check "access log shows the client nginx saw" sh -c "echo '$line' | grep -q 'roster::access] \"GET /api/v1/info HTTP/1.[01]\" 200 .*client_ip=\"$client\"'"
check "a forged X-Forwarded-For is not believed" sh -c "! echo '$line' | grep -q '6.6.6.6'"

preflight() {
  call -o /dev/null -w '%{http_code}' -X OPTIONS "$base/users" -H "Origin: $1" \
    -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: authorization, content-type'
}
check "CORS preflight from the allowed origin" test "$(preflight https://app.example.com)" = 200
check "CORS preflight from another origin refused" test "$(preflight https://evil.example.com)" = 403

console="http://127.0.0.1:$nginx_port"
check "console page through nginx, with its policy" sh -c "curl -si '$console/' \
  | grep -qi \"^content-security-policy: default-src 'self'\""
check "console script through nginx" sh -c "curl -sf '$console/console/app.js' | grep -q renderUsers"

echo "behind nginx: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
