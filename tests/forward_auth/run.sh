#!/usr/bin/env bash
# Forward-auth behind the real proxies: nginx (auth_request) and Caddy (forward_auth), both
# from Debian's packages, configured as docs/forward-auth.md says, each guarding a small
# app (echo.py) that answers with the Remote-* headers it received.
#
#   bash tests/forward_auth/run.sh [path/to/roster]        (default: target/debug/roster)
#
# Hosts are told apart by the Host header on loopback ports: roster.example.test (Roster,
# through nginx), app.example.test (anyone signed in) and admin.example.test (admins only).
# Bounded: every wait has a limit, and echo.py stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."

roster=${1:-target/debug/roster}
[ -x "$roster" ] || cargo build --quiet
missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v caddy >/dev/null || missing+=(caddy)
if ((${#missing[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
roster_port=18741 nginx_port=18742 caddy_port=18743 app_port=18744
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in ${roster_pid:-} ${caddy_pid:-} ${echo_pid:-}; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

public="http://roster.example.test:$nginx_port"
ROSTER_DATABASE_URL="sqlite://$work/roster.db" ROSTER_BIND="127.0.0.1:$roster_port" \
  ROSTER_TRUSTED_PROXIES=127.0.0.1/32 ROSTER_PUBLIC_URL="$public" \
  ROSTER_COOKIE_DOMAIN=example.test ROSTER_COOKIE_SECURE=false \
  ROSTER_ACCESS='[{"host": "admin.example.test", "allow": "admins"}, {"host": "open.example.test", "allow": "anyone"}]' \
  RUST_LOG=warn "$roster" serve 2>"$work/roster.log" &
roster_pid=$!
/usr/bin/python3 tests/forward_auth/echo.py --port "$app_port" --lifetime 600 &
echo_pid=$!

# -- nginx, as docs/forward-auth.md configures it -----------------------------------------
mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<NGINX
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx;
    # Roster itself (its console signs users in).
    server {
        listen 127.0.0.1:$nginx_port;
        server_name roster.example.test;
        location / {
            proxy_pass http://127.0.0.1:$roster_port;
            # HTTP/1.0 (nginx's default) leaves a bodiless POST such as logout without
            # a length, which is not a valid request.
            proxy_http_version 1.1;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
    # The protected apps.
    server {
        listen 127.0.0.1:$nginx_port;
        server_name app.example.test admin.example.test open.example.test;
        location = /internal/roster-auth {
            internal;
            proxy_pass http://127.0.0.1:$roster_port/api/v1/auth/request;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URL \$scheme://\$http_host\$request_uri;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
        location @roster-sign-in {
            return 302 $public/?rd=\$scheme://\$http_host\$request_uri;
        }
        location / {
            auth_request /internal/roster-auth;
            error_page 401 = @roster-sign-in;
            auth_request_set \$roster_user \$upstream_http_remote_user;
            auth_request_set \$roster_name \$upstream_http_remote_name;
            auth_request_set \$roster_email \$upstream_http_remote_email;
            auth_request_set \$roster_groups \$upstream_http_remote_groups;
            # Always set: a client's own Remote-* headers never reach the app.
            proxy_set_header Remote-User \$roster_user;
            proxy_set_header Remote-Name \$roster_name;
            proxy_set_header Remote-Email \$roster_email;
            proxy_set_header Remote-Groups \$roster_groups;
            proxy_set_header Host \$http_host;
            proxy_pass http://127.0.0.1:$app_port;
        }
    }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work/nginx"

# -- Caddy, as docs/forward-auth.md configures it ------------------------------------------
cat > "$work/Caddyfile" <<CADDY
{
    admin off
    auto_https off
    storage file_system $work/caddy
}
http://app.example.test:$caddy_port, http://admin.example.test:$caddy_port, http://open.example.test:$caddy_port {
    route {
        # A client's own Remote-* headers never reach the app (the route keeps this
        # before forward_auth, which sets them from Roster's answer).
        request_header -Remote-*
        forward_auth 127.0.0.1:$roster_port {
            uri /api/v1/auth/forward
            copy_headers Remote-User Remote-Name Remote-Email Remote-Groups
        }
        reverse_proxy 127.0.0.1:$app_port
    }
}
CADDY
XDG_DATA_HOME="$work" XDG_CONFIG_HOME="$work" caddy run --config "$work/Caddyfile" --adapter caddyfile \
  >"$work/caddy.log" 2>&1 &
caddy_pid=$!

up() { curl -s -o /dev/null --max-time 2 "$1"; }
for _ in $(seq 1 100); do
  up "http://127.0.0.1:$roster_port/api/v1/info" && up "http://127.0.0.1:$nginx_port/" \
    && up "http://127.0.0.1:$caddy_port/" && up "http://127.0.0.1:$app_port/" && break
  sleep 0.2
done

passed=0
failed=0
check() { # name, then a command that must succeed
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
# at PORT HOST PATH [curl options]: a request to HOST through the proxy on PORT.
at() { local port=$1 host=$2 path=$3; shift 3; curl -s --max-time 5 -H "Host: $host:$port" "$@" "http://127.0.0.1:$port$path"; }
status() { at "$@" -o /dev/null -w '%{http_code}'; }
location() { at "$@" -o /dev/null -w '%{redirect_url}'; }
field() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

api="http://127.0.0.1:$nginx_port/api/v1"
roster_host="Host: roster.example.test:$nginx_port"
curl -s -H "$roster_host" "$api/register" -H 'Content-Type: application/json' \
  -d '{"username": "admin", "password": "proxy-glacier-kettle-1", "email": "admin@example.test"}' >/dev/null
admin=$(curl -s -H "$roster_host" "$api/login" -d username=admin -d password=proxy-glacier-kettle-1 | field '["token"]')
curl -s -H "$roster_host" -X PUT "$api/users" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"username": "alice", "password": "alice-glacier-kettle-1", "email": "alice@example.test", "name": "Alice Liddell"}' >/dev/null
# Alice signs in with the cookie, as the console does.
set_cookie=$(curl -s -D - -o /dev/null -H "$roster_host" "$api/login" -H 'Content-Type: application/json' \
  -d '{"username": "alice", "password": "alice-glacier-kettle-1", "cookie": true}' | grep -i '^set-cookie:')
check "the sign-in sets the shared cookie" sh -c "echo '$set_cookie' | grep -q 'Domain=example.test'"
cookie="Cookie: $(echo "$set_cookie" | sed 's/^[^:]*: *//; s/;.*//')"
scoped=$(curl -s -H "$roster_host" -X PUT "$api/tokens" -H "$cookie" -H "Origin: $public" -H 'Content-Type: application/json' \
  -d '{"title": "proxy", "scopes": ["forward-auth"]}' | field '["token"]')
unscoped=$(curl -s -H "$roster_host" -X PUT "$api/tokens" -H "$cookie" -H "Origin: $public" -H 'Content-Type: application/json' \
  -d '{"title": "other", "scopes": ["account"]}' | field '["token"]')
check "API tokens made with the cookie from Roster's origin" test "${scoped:0:7}" = roster_

for proxy in nginx caddy; do
  port=$nginx_port; [ "$proxy" = caddy ] && port=$caddy_port
  # nginx cannot escape the URL it puts in `rd`; the console reads it either way.
  back="http://app.example.test:$port/page?x=1"
  [ "$proxy" = caddy ] && back="http%3A%2F%2Fapp.example.test%3A$port%2Fpage%3Fx%3D1"
  check "$proxy: a stranger is sent to sign in, with the way back" \
    test "$(location "$port" app.example.test '/page?x=1' -H 'Accept: text/html')" = "$public/?rd=$back"
  seen=$(at "$port" app.example.test /hello -H "$cookie")
  check "$proxy: signed in by the cookie, the app sees the user" \
    test "$(echo "$seen" | field '["seen"]["Remote-User"]')" = alice
  name=$(echo "$seen" | field '["seen"]["Remote-Name"]')
  email=$(echo "$seen" | field '["seen"]["Remote-Email"]')
  check "$proxy: and the name and address" test "$name|$email" = "Alice Liddell|alice@example.test"
  check "$proxy: a rule for admins refuses alice (403)" test "$(status "$port" admin.example.test / -H "$cookie")" = 403
  forged=$(at "$port" app.example.test / -H "$cookie" -H 'Remote-User: admin' -H 'Remote-Groups: admins')
  check "$proxy: a client's own Remote-User never reaches the app" \
    test "$(echo "$forged" | field '["seen"]["Remote-User"]')" = alice
  stranger=$(at "$port" open.example.test / -H 'Remote-User: admin')
  check "$proxy: nor does a stranger's, where anyone may pass" \
    sh -c "echo '$stranger' | /usr/bin/python3 -c 'import json,sys; assert json.load(sys.stdin)[\"seen\"][\"Remote-User\"] in (None, \"\")'"
  check "$proxy: an API token with the forward-auth scope passes" \
    test "$(at "$port" app.example.test / -H "Authorization: Bearer $scoped" | field '["seen"]["Remote-User"]')" = alice
  check "$proxy: one without it does not" test "$(status "$port" app.example.test / -H "Authorization: Bearer $unscoped")" = 403
  check "$proxy: Basic with the token as password passes" \
    test "$(status "$port" app.example.test / -u "alice:$scoped")" = 200
done

# Logout through Roster (from its own origin): refused at once behind both proxies.
out=$(curl -s -H "$roster_host" -X POST "$api/logout" -H "$cookie" -H "Origin: $public")
check "logout with the cookie from Roster's origin" test "$out" = '{"message":"success"}'
for proxy in nginx caddy; do
  port=$nginx_port; [ "$proxy" = caddy ] && port=$caddy_port
  check "$proxy: after logout the cookie is refused at once" \
    test "$(status "$port" app.example.test / -H "$cookie" -H 'Accept: text/html')" = 302
done

# A real browser through the whole round trip (playwright-core from the console tests).
if [ ! -d tests/console/node_modules/playwright-core ]; then
  (cd tests/console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
while IFS= read -r line; do
  echo "$line"
  case $line in "ok   browser:"*) passed=$((passed + 1)) ;; "FAIL browser:"*) failed=$((failed + 1)) ;; esac
done < <(timeout 120 node tests/forward_auth/browser.mjs "$nginx_port" "$caddy_port" alice alice-glacier-kettle-1 2>&1 \
  || echo "FAIL browser: the run ended early")

echo "forward-auth behind nginx and Caddy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
