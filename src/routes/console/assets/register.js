// Creating an account from the sign-in page, when GET /api/v1/info says registration is
// open: on a new server the first account is its admin, so the browser alone sets it up.

import { call, setToken } from "./api.js";
import {
  busy,
  checkFields,
  clearErrors,
  field,
  h,
  newPasswordField,
  replaceChildren,
  showError,
  statusLine,
  usernameProblem,
} from "./dom.js";

/**
 * Renders the registration form into `main`; `back(notice)` returns to sign-in (after a
 * registration that must confirm its address first, with what to do).
 */
export function renderRegister(main, { onSignedIn, back }) {
  document.title = "Create an account · Roster";
  const fields = [
    field({ name: "username", label: "Username", autocomplete: "username", required: true, check: usernameProblem }),
    field({ name: "email", label: "Email", type: "email", autocomplete: "email", required: true }),
    field({ name: "name", label: "Name (optional)", autocomplete: "name" }),
    newPasswordField(),
  ];
  const formError = statusLine({ alert: true });
  const submit = h("button", { type: "submit", text: "Create account" });
  const cancel = h("button", { type: "button", class: "secondary", text: "Back to sign-in" });
  cancel.addEventListener("click", () => back());
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "register-title", novalidate: true },
    h("h1", { id: "register-title", tabindex: "-1", text: "Create an account" }),
    h("p", { class: "hint", text: "The first account on a new Roster is its administrator." }),
    fields.map((f) => f.wrapper),
    formError,
    h("div", { class: "actions" }, submit, cancel),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fields, formError);
    if (!checkFields(fields)) return;
    const body = Object.fromEntries(fields.map((f) => [f.name, f.input.value]));
    if (body.name === "") delete body.name;
    await busy(submit, async () => {
      try {
        const { data } = await call("POST", "/register", { body });
        if (!data.token) {
          // 202: the address must be confirmed before signing in.
          back(`Your account is created. Confirm your address: follow the link in the mail sent to ${body.email}, then sign in.`);
          return;
        }
        setToken(data.token);
        await onSignedIn();
      } catch (error) {
        showError(error, fields, formError);
      }
    });
  });
  replaceChildren(main, form);
  fields[0].input.focus();
}
