"""Schemathesis hooks: every request carries a valid admin token.

Fuzzing the API also logs the admin out, demotes, disables or deletes it, or changes its
password; each of those is correct behaviour, and would leave the rest of the run testing
nothing but 401s. So the token comes from here: schemathesis asks again after a 401 or 403,
and when the admin cannot sign in (or no longer is one) a fresh admin is made with the
`roster user create --admin` command, which works beside the running server.

The hook's own logins carry X-Forwarded-For (the server trusts 127.0.0.1 in this run), so
the per-address login throttle that fuzzed logins trip does not lock the hook out.
"""

import itertools
import json
import os
import subprocess
import urllib.error
import urllib.request

import schemathesis

BASE = os.environ["ROSTER_ST_BASE"]
ROSTER = os.environ["ROSTER_ST_BINARY"]
PASSWORD = "plum-kayak-41-zebra"
HOOK_ADDRESS = "192.0.2.77"
_generation = itertools.count(1)
_username = ["st-admin"]


def _call(method, path, body=None, token=None):
    request = urllib.request.Request(BASE + path, method=method)
    request.add_header("X-Forwarded-For", HOOK_ADDRESS)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def _admin_token():
    status, body = _call("POST", "/api/v1/login", {"username": _username[0], "password": PASSWORD})
    if status != 200:
        return None
    token = body["token"]
    status, me = _call("GET", "/api/v1/user", token=token)
    return token if status == 200 and me["isAdmin"] else None


def _new_admin():
    name = f"st-admin-{next(_generation)}"
    subprocess.run(
        [ROSTER, "user", "create", name, "--admin", "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    _username[0] = name


@schemathesis.auth(refresh_interval=600, retry_on=[401, 403])
class AdminToken:
    def get(self, case, context):
        token = _admin_token()
        if token is None:
            _new_admin()
            token = _admin_token()
        if token is None:
            raise RuntimeError(f"cannot sign in as the new admin {_username[0]}")
        return token

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
