// One user's dialog (admins): edit details, admin rights, disable/enable, lockout and
// unlock, set a new password, end all sessions, audit events, delete. Each action shows its outcome or
// error beside it.

import { call } from "./api.js";
import {
  ask,
  busy,
  checkFields,
  clearErrors,
  field,
  h,
  modal,
  newPasswordField,
  say,
  showError,
  statusLine,
  usernameProblem,
} from "./dom.js";
import { timeOf, userLabel } from "./format.js";

/**
 * Opens the dialog for `user`. `changed(user)` runs after every change that went
 * through; `announce(text)` reports an outcome once the dialog has closed.
 */
export function openUserDialog(initial, { me, changed, announce, returnFocus }) {
  let user = initial;
  const meta = h("p", { class: "meta" });
  // Every outcome and refusal line of the dialog: an action clears all of them, so
  // "Saved." never stands under a later, unrelated action.
  const lines = [];
  // What shows the user's state, redrawn after every change (an edited address is
  // unconfirmed again).
  const redraws = [];
  const dialog = modal(
    `User ${user.username}`,
    [meta, detailsSection(), accessSection(), groupsSection(), passwordSection(), sessionsSection(), deleteSection()],
    { returnFocus },
  );
  dialog.classList.add("user-dialog");
  showMeta();
  return dialog;

  /** A status line (an alert with `alert`) that the next action clears. */
  function outcomeLine(options) {
    const line = statusLine(options);
    lines.push(line);
    return line;
  }

  /** Clears what earlier actions said: a new action is starting. */
  function newAction() {
    for (const line of lines) say(line, "");
  }

  function showMeta() {
    meta.replaceChildren(`Id ${user.id} · created `, timeOf(user.created), " · updated ", timeOf(user.updated));
  }

  async function update(body) {
    const { data } = await call("POST", `/users/${user.id}`, { body });
    user = data;
    showMeta();
    for (const redraw of redraws) redraw();
    await changed(user);
    return data;
  }

  function section(title, ...content) {
    const id = `section-${title.toLowerCase().replaceAll(" ", "-")}`;
    return h(
      "section",
      { class: "dialog-section", "aria-labelledby": id },
      h("h3", { id, text: title }),
      ...content,
    );
  }

  function detailsSection() {
    const fields = [
      field({ name: "username", label: "Username", value: user.username, required: true, check: usernameProblem }),
      field({ name: "name", label: "Name", value: user.name }),
      field({ name: "email", label: "Email", type: "email", value: user.email }),
    ];
    const formError = outcomeLine({ alert: true });
    const done = outcomeLine();
    const save = h("button", { type: "submit", text: "Save changes" });
    const form = h(
      "form",
      { novalidate: true },
      fields.map((f) => f.wrapper),
      formError,
      h("div", { class: "actions" }, save, done),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(fields, formError);
      newAction();
      if (!checkFields(fields)) return;
      // Only what was edited: a field left alone is not re-sent.
      const body = {};
      for (const f of fields) {
        if (f.input.value !== user[f.name]) body[f.name] = f.input.value;
      }
      if (Object.keys(body).length === 0) {
        say(done, "Nothing to save: no field was changed.");
        return;
      }
      await busy(save, async () => {
        try {
          await update(body);
          for (const f of fields) f.input.value = user[f.name];
          say(done, "Saved.");
        } catch (error) {
          showError(error, fields, formError);
        }
      });
    });
    return section("Details", form, confirmationRow());
  }

  /** Whether the address is confirmed, and a button for an admin to vouch for it. */
  function confirmationRow() {
    const state = h("p");
    const mark = h("button", { type: "button", class: "secondary", text: "Mark address confirmed" });
    const refusal = outcomeLine({ alert: true });
    const done = outcomeLine();
    function show() {
      state.textContent = !user.email
        ? "No email address."
        : user.emailConfirmed
          ? "Address confirmed."
          : "Address not confirmed yet.";
      mark.hidden = !user.email || user.emailConfirmed;
    }
    mark.addEventListener("click", async () => {
      newAction();
      await busy(mark, async () => {
        try {
          await update({ emailConfirmed: true });
          show();
          say(done, `The address of ${user.username} is marked confirmed.`);
        } catch (error) {
          showError(error, [], refusal);
        }
      });
    });
    show();
    redraws.push(show);
    return [h("div", { class: "toggle-row" }, state, mark), refusal, done];
  }

  function accessSection() {
    const adminState = h("p");
    const adminButton = h("button", { type: "button", class: "secondary" });
    const disabledState = h("p");
    const disabledButton = h("button", { type: "button", class: "secondary" });
    const refusal = outcomeLine({ alert: true });
    const done = outcomeLine();
    function show() {
      adminState.textContent = user.isAdmin ? "Administrator." : "Not an administrator.";
      adminButton.textContent = user.isAdmin ? "Remove admin rights" : "Make admin";
      disabledState.textContent = user.disabled
        ? "Disabled: cannot sign in."
        : "Enabled: can sign in.";
      disabledButton.textContent = user.disabled ? "Enable account" : "Disable account";
    }
    /** Sends `body`; with a `question`, only once the question is answered yes. */
    async function change(button, body, outcome, question) {
      if (question && !(await ask(question))) return;
      newAction();
      await busy(button, async () => {
        try {
          await update(body);
          show();
          say(done, outcome(user));
        } catch (error) {
          if (error.code === 1030) {
            say(refusal, `Refused by the last-admin guard: ${error.message} Make another user an admin first.`);
          } else {
            showError(error, [], refusal);
          }
        }
      });
    }
    // Taking rights or access away asks first, naming the user; giving them back does not.
    adminButton.addEventListener("click", () =>
      change(
        adminButton,
        { isAdmin: !user.isAdmin },
        (u) => (u.isAdmin ? `${u.username} is now an administrator.` : `${u.username} is no longer an administrator.`),
        user.isAdmin && {
          title: `Remove the admin rights of ${user.username}?`,
          text: `${user.username} will no longer manage users or read the audit log.`,
          yes: "Remove admin rights",
        },
      ),
    );
    disabledButton.addEventListener("click", () =>
      change(
        disabledButton,
        { disabled: !user.disabled },
        (u) => (u.disabled ? `${u.username} is disabled and all of its sessions were ended.` : `${u.username} is enabled.`),
        !user.disabled && {
          title: `Disable ${user.username}?`,
          text: `${user.username} cannot sign in any more, and all of its sessions end now.`,
          yes: `Disable ${user.username}`,
        },
      ),
    );
    show();
    return section(
      "Access",
      h("div", { class: "toggle-row" }, adminState, adminButton),
      h("div", { class: "toggle-row" }, disabledState, disabledButton),
      lockoutRow(refusal, done),
      refusal,
      done,
    );
  }

  /** Whether failed logins locked the user out, with an Unlock button while they did. */
  function lockoutRow(refusal, done) {
    const state = h("p", { class: "lockout", text: "Checking for a lockout…" });
    const unlock = h("button", { type: "button", class: "secondary", text: "Unlock", hidden: true });
    function show(lockout) {
      const failures = `${lockout.failures} failed login${lockout.failures === 1 ? "" : "s"} in the window`;
      if (lockout.locked) {
        state.replaceChildren(
          h("strong", { class: "badge locked", text: "Locked" }),
          " after failed logins, until ",
          timeOf(lockout.until),
          ` (${failures}).`,
        );
      } else {
        state.textContent = `Not locked (${failures}).`;
      }
      unlock.hidden = !lockout.locked;
    }
    call("GET", `/users/${user.id}/lockout`)
      .then(({ data }) => show(data))
      .catch((error) => showError(error, [], refusal));
    unlock.addEventListener("click", async () => {
      newAction();
      await busy(unlock, async () => {
        try {
          const { data } = await call("DELETE", `/users/${user.id}/lockout`);
          show(data);
          say(done, `${user.username} is unlocked and may sign in again.`);
        } catch (error) {
          showError(error, [], refusal);
        }
      });
    });
    return h("div", { class: "toggle-row" }, state, unlock);
  }

  function passwordSection() {
    const password = newPasswordField({
      label: "New password",
      hint: "The user's sessions end; tell them the new password.",
    });
    const formError = outcomeLine({ alert: true });
    const done = outcomeLine();
    const submit = h("button", { type: "submit", class: "secondary", text: "Set password" });
    const form = h("form", { novalidate: true }, password.wrapper, formError, h("div", { class: "actions" }, submit, done));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors([password], formError);
      newAction();
      if (!checkFields([password])) return;
      await busy(submit, async () => {
        try {
          await call("POST", `/users/${user.id}/password`, { body: { password: password.input.value } });
          password.input.value = "";
          password.repeat.input.value = "";
          say(done, `The password of ${user.username} was set and its sessions were ended.`);
          await changed(user);
        } catch (error) {
          showError(error, [password], formError);
        }
      });
    });
    return section("Reset password", form);
  }

  function sessionsSection() {
    const end = h("button", { type: "button", class: "secondary", text: "End all sessions" });
    const audit = h("a", { href: `#/audit?user=${user.id}`, text: "Show this user's audit events" });
    audit.addEventListener("click", () => dialog.close());
    const failure = outcomeLine({ alert: true });
    const done = outcomeLine();
    end.addEventListener("click", async () => {
      const own = user.id === me.id;
      const question = {
        title: `End every session of ${user.username}?`,
        text: own
          ? "Every other browser and app signed in as you is signed out; this session goes on."
          : `Every browser and app signed in as ${user.username} is signed out.`,
        yes: "End sessions",
      };
      if (!(await ask(question))) return;
      newAction();
      await busy(end, async () => {
        try {
          await call("POST", `/users/${user.id}/logout-all`);
          say(
            done,
            user.id === me.id
              ? "Your other sessions were ended; this one goes on."
              : `Every session of ${user.username} was ended.`,
          );
        } catch (error) {
          showError(error, [], failure);
        }
      });
    });
    return section("Sessions", h("div", { class: "actions" }, end, audit), failure, done);
  }

  /** The user's groups (read only: members are managed in the groups view). */
  function groupsSection() {
    const list = h("p", { text: "Loading…" });
    call("GET", `/users/${user.id}/groups`).then(
      ({ data }) => say(list, data.length === 0 ? "In no group." : data.map((g) => g.name).join(", ")),
      (error) => say(list, error.message),
    );
    return section("Groups", list);
  }

  function deleteSection() {
    const remove = h("button", { type: "button", class: "danger", text: "Delete user…" });
    const failure = outcomeLine({ alert: true });
    remove.addEventListener("click", async () => {
      const question = {
        title: `Delete ${user.username}?`,
        text: `The account ${userLabel(user)} and all of its sessions are deleted. This cannot be undone.`,
        yes: `Delete ${user.username}`,
      };
      if (!(await ask(question))) return;
      newAction();
      try {
        await call("DELETE", `/users/${user.id}`);
        dialog.close();
        announce(`Deleted user ${user.username}.`);
        await changed(user);
      } catch (error) {
        showError(error, [], failure);
      }
    });
    return section("Delete", h("div", { class: "actions" }, remove), failure);
  }
}
