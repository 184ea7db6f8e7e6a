"""A full Roster session through the Python client openapi-python-client generated from the
served OpenAPI document: only the generated functions and models, every error answer parsed
into the one `Error` model. Prints one "ok: python client: ..." line per step; the first
failed expectation raises (the runner reports it)."""

import json
import sys

from roster_client import AuthenticatedClient, Client
from roster_client.api.account import get_current_user
from roster_client.api.audit import list_audit_events
from roster_client.api.info import get_info
from roster_client.api.session import login, logout, register
from roster_client.api.users import (
    change_password,
    create_user,
    delete_user,
    get_lockout,
    get_user,
    list_users,
    logout_all,
    unlock_user,
    update_user,
)
from roster_client.models import (
    Error,
    Login,
    LoginForm,
    NewUser,
    NewUserForm,
    PasswordChange,
    PasswordChangeForm,
    Registration,
    Token,
    User,
    UserUpdate,
)

base = sys.argv[1]
anonymous = Client(base_url=base)


def ok(step):
    print(f"ok: python client: {step}", flush=True)


def expect(response, status, model):
    assert response.status_code == status, (response.status_code, response.content)
    assert isinstance(response.parsed, model), (type(response.parsed), response.content)
    return response.parsed


def refused(response, status, code):
    error = expect(response, status, Error)
    assert error.code == code and error.message, (error.code, error.message)
    return error


info = expect(get_info.sync_detailed(client=anonymous), 200, object)
assert info.registration_enabled is True
ok("info")

admin_password = "client-admin-glacier-1"
token = expect(
    register.sync_detailed(
        client=anonymous,
        body=Registration(username="admin", password=admin_password, email="admin@example.com"),
    ),
    200,
    Token,
)
admin = AuthenticatedClient(base_url=base, token=token.token)
ok("register (the first account is the admin)")
refused(
    register.sync_detailed(
        client=anonymous,
        body=Registration(username="admin", password=admin_password, email="other@example.com"),
    ),
    400,
    1020,
)
ok("a taken username is one Error")

by_json = expect(
    login.sync_detailed(client=anonymous, body=Login(username="admin", password=admin_password)),
    200,
    Token,
)
by_form = expect(
    login.sync_detailed(client=anonymous, body=LoginForm(username="admin", password=admin_password)),
    200,
    Token,
)
assert by_json.token != by_form.token and by_json.token_expires.tzinfo is not None
refused(login.sync_detailed(client=anonymous, body=Login(username="admin", password="wrong-one")), 401, 2003)
ok("login as JSON and as a form; a wrong password is one Error")

me = expect(get_current_user.sync_detailed(client=admin), 200, User)
assert me.username == "admin" and me.is_admin and me.password == ""
ok("current user")

alice = expect(
    create_user.sync_detailed(
        client=admin,
        body=NewUser(username="alice", password="alice-glacier-kettle", email="alice@example.com", name="Alice"),
    ),
    200,
    User,
)
bob = expect(
    create_user.sync_detailed(
        client=admin,
        body=NewUserForm(user=json.dumps({"username": "bob", "password": "bob-glacier-kettle"})),
    ),
    200,
    User,
)
carol = expect(
    create_user.sync_detailed(
        client=admin,
        body=NewUserForm(username="carol", password="carol-glacier-kettle", is_admin=False),
    ),
    200,
    User,
)
assert (alice.name, bob.username, carol.is_admin) == ("Alice", "bob", False)
refused(create_user.sync_detailed(client=admin, body=NewUser(username="x y", password="plum-kayak-41")), 400, 1010)
ok("create as JSON, as the user= form and as plain form fields")

page = list_users.sync_detailed(client=admin, page=2, per_page=2)
found = expect(page, 200, list)
assert [u.username for u in found] == ["bob", "carol"], [u.username for u in found]
assert page.headers["x-pagination-total-pages"] == "2"
assert page.headers["x-pagination-result-count"] == "2"
assert page.headers["x-pagination-total-count"] == "4"  # admin, alice, bob, carol
searched = expect(list_users.sync_detailed(client=admin, s="ALI"), 200, list)
assert [u.username for u in searched] == ["alice"], [u.username for u in searched]
ok("list with search and the pagination headers")

assert expect(get_user.sync_detailed(alice.id, client=admin), 200, User).email == "alice@example.com"
refused(get_user.sync_detailed(9999, client=admin), 404, 4001)
ok("get by id; an unknown id is one Error")

updated = expect(
    update_user.sync_detailed(alice.id, client=admin, body=UserUpdate(name="Alice A.", email=None)),
    200,
    User,
)
assert (updated.name, updated.email) == ("Alice A.", "")
refused(update_user.sync_detailed(alice.id, client=admin, body=UserUpdate()), 400, 1003)
ok("update (null clears the email); an empty update is one Error")

expect(
    change_password.sync_detailed(alice.id, client=admin, body=PasswordChange(password="alice-new-lantern-7")),
    200,
    object,
)
alice_token = expect(
    login.sync_detailed(client=anonymous, body=Login(username="alice", password="alice-new-lantern-7")), 200, Token
)
alice_client = AuthenticatedClient(base_url=base, token=alice_token.token)
refused(
    change_password.sync_detailed(
        alice.id, client=alice_client, body=PasswordChangeForm(password="alice-third-orbit-9")
    ),
    400,
    1017,
)
expect(
    change_password.sync_detailed(
        alice.id,
        client=alice_client,
        body=PasswordChangeForm(password="alice-third-orbit-9", old_password="alice-new-lantern-7"),
    ),
    200,
    object,
)
refused(get_user.sync_detailed(alice.id, client=alice_client), 403, 3001)
ok("admin and own password change (JSON and form); a missing current password is one Error")

lockout = expect(get_lockout.sync_detailed(bob.id, client=admin), 200, object)
assert (lockout.locked, lockout.failures) == (False, 0)
assert expect(unlock_user.sync_detailed(bob.id, client=admin), 200, object).locked is False
ok("lockout read and unlock")

expect(logout_all.sync_detailed(alice.id, client=admin), 200, object)
refused(get_current_user.sync_detailed(client=alice_client), 401, 2002)
ok("logout-all ends the user's sessions")

expect(delete_user.sync_detailed(carol.id, client=admin), 200, object)
refused(get_user.sync_detailed(carol.id, client=admin), 404, 4001)
ok("delete")

events = expect(list_audit_events.sync_detailed(client=admin, user=carol.id), 200, list)
kinds = [e.type_.value for e in events]
assert kinds[:2] == ["user.deleted", "user.created"], kinds
ok("audit log filtered by user")

expect(logout.sync_detailed(client=admin), 200, object)
refused(get_current_user.sync_detailed(client=admin), 401, 2002)
ok("logout")
