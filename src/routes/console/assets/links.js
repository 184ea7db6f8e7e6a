// Account recovery by mail: asking for a reset link or for the confirmation mail again,
// and the two pages the mails' links open (/reset-password?token=…, /confirm-email?token=…).
// The token is taken from the address and the address tidied at once, so it stays in no
// history entry; nothing happens before the person presses the button (mail scanners that
// open links change nothing).

import { call } from "./api.js";
import { busy, checkFields, clearErrors, field, h, newPasswordField, replaceChildren, say, showError, statusLine } from "./dom.js";

/** What a mail link opened: `{kind: "reset"|"confirm", token}`, or null for any other page. */
export function mailLink() {
  const kinds = { "/reset-password": "reset", "/confirm-email": "confirm" };
  const kind = kinds[window.location.pathname];
  if (!kind) return null;
  const token = new URLSearchParams(window.location.search).get("token") ?? "";
  window.history.replaceState(null, "", "/");
  return { kind, token };
}

/** A narrow card titled `title`, with a way back to sign-in. */
function card(main, title, content, back) {
  const backButton = h("button", { type: "button", class: "secondary", text: "Back to sign-in" });
  backButton.addEventListener("click", () => back());
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "mail-title", novalidate: true },
    h("h1", { id: "mail-title", tabindex: "-1", text: title }),
    content.fields,
    content.error,
    h("div", { class: "actions" }, content.submit, backButton),
  );
  document.title = `${title} · Roster`;
  replaceChildren(main, form);
  return form;
}

/**
 * The page of a mail link: a new password for a reset, a button for a confirmation.
 * `back(notice)` shows sign-in, with what happened.
 */
export function renderMailLink(main, { kind, token }, back) {
  const error = statusLine({ alert: true });
  if (kind === "reset") {
    const password = newPasswordField({ label: "New password" });
    const submit = h("button", { type: "submit", text: "Set the new password" });
    const form = card(main, "Choose a new password", { fields: [password.wrapper], error, submit }, back);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors([password], error);
      if (!checkFields([password])) return;
      await busy(submit, async () => {
        try {
          await call("POST", "/user/password/reset", { body: { token, newPassword: password.input.value } });
          back("Your new password is set, and every session was ended. Sign in with it.");
        } catch (e) {
          showError(e, [password], error);
        }
      });
    });
    password.input.focus();
  } else {
    const submit = h("button", { type: "submit", text: "Confirm my address" });
    const hint = h("p", { class: "hint", text: "Press the button to confirm that this email address is yours." });
    const form = card(main, "Confirm your email address", { fields: [hint], error, submit }, back);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(error, "");
      await busy(submit, async () => {
        try {
          await call("POST", "/user/confirm", { body: { token } });
          back("Your email address is confirmed. You can sign in.");
        } catch (e) {
          showError(e, [], error);
        }
      });
    });
    submit.focus();
  }
}

/**
 * Asks for a mail: a reset link (`kind` "reset") or the confirmation again ("confirm").
 * The answer is the server's, the same whether or not the address is known.
 */
export function renderMailRequest(main, kind, back) {
  const email = field({ name: "email", label: "Email address", type: "email", autocomplete: "email", required: true });
  const error = statusLine({ alert: true });
  const done = statusLine();
  const reset = kind === "reset";
  const submit = h("button", { type: "submit", text: reset ? "Send me a reset link" : "Send the confirmation again" });
  const intro = h("p", {
    class: "hint",
    text: reset
      ? "Enter your account's email address; a link to set a new password will be sent to it."
      : "Enter your account's email address; a new confirmation link will be sent to it.",
  });
  const form = card(
    main,
    reset ? "Reset your password" : "Confirm your email address",
    { fields: [intro, email.wrapper, done], error, submit },
    back,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors([email], error);
    say(done, "");
    if (!checkFields([email])) return;
    await busy(submit, async () => {
      try {
        const { data } = await call("POST", reset ? "/user/password/token" : "/user/confirm/token", {
          body: { email: email.input.value },
        });
        say(done, `${data.message} Check your inbox (and the spam folder).`);
      } catch (e) {
        showError(e, [email], error);
      }
    });
  });
  email.input.focus();
}
