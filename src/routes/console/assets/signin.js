// The sign-in form: POST /api/v1/login (which sets the session cookie too), then the app
// takes over with the new token.

import { call, serverInfo, setToken } from "./api.js";
import { busy, clearErrors, field, h, replaceChildren, say, statusLine } from "./dom.js";
import { renderMailRequest } from "./links.js";
import { renderRegister } from "./register.js";

/** Renders the sign-in form into `main`; `notice` explains why (expired session…). */
export function renderSignIn(main, { notice, onSignedIn }) {
  const username = field({ name: "username", label: "Username", autocomplete: "username", required: true });
  const password = field({
    name: "password",
    label: "Password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const fields = [username, password];
  const formError = statusLine({ alert: true });
  const submit = h("button", { type: "submit", text: "Sign in" });
  const noticeLine = h("p", { class: "notice", role: "status" });
  say(noticeLine, notice);
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "signin-title", novalidate: true },
    h("h1", { id: "signin-title", text: "Sign in to Roster" }),
    noticeLine,
    username.wrapper,
    password.wrapper,
    formError,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fields, formError);
    // The notice (signed out, session expired) was about the last session, not this try.
    say(noticeLine, "");
    if (!username.input.value || !password.input.value) {
      say(formError, "Enter your username and password.");
      return;
    }
    await busy(submit, async () => {
      try {
        const { data } = await call("POST", "/login", {
          // The cookie signs this browser into the apps behind the proxy too.
          body: { username: username.input.value, password: password.input.value, cookie: true },
        });
        setToken(data.token);
        await onSignedIn();
      } catch (error) {
        // One place for every refusal (wrong credentials, disabled, throttled): the
        // server's sentence, never a guess at which field was wrong.
        say(formError, error.message);
        password.input.select();
      }
    });
  });
  replaceChildren(main, form);
  username.input.focus();
  offerMore(main, form, onSignedIn);
}

/**
 * Adds what the server offers under the form: "Create an account" when it takes
 * registrations, "Forgot your password?" when it sends mail, and the confirmation mail
 * again when addresses are confirmed.
 */
async function offerMore(main, form, onSignedIn) {
  const info = await serverInfo();
  if (!form.isConnected) return;
  const back = (notice) => renderSignIn(main, { notice, onSignedIn });
  const offer = (question, label, open) => {
    const button = h("button", { type: "button", class: "secondary", text: label });
    button.addEventListener("click", open);
    form.append(h("p", { class: "register" }, question, button));
  };
  if (info.registrationEnabled === true) {
    offer("No account yet? ", "Create an account", () => renderRegister(main, { onSignedIn, back }));
  }
  if (info.mailEnabled === true) {
    offer("", "Forgot your password?", () => renderMailRequest(main, "reset", back));
  }
  if (info.mailEnabled === true && ["optional", "required"].includes(info.emailConfirmation)) {
    offer("No confirmation mail? ", "Send it again", () => renderMailRequest(main, "confirm", back));
  }
}
