// The signed-in user's own page: their account, a password change that needs the
// current password, where they are signed in, and their API tokens.

import { sessionsCard, tokensCard } from "./access.js";
import { call } from "./api.js";
import {
  busy,
  checkFields,
  clearErrors,
  field,
  h,
  newPasswordField,
  replaceChildren,
  say,
  showError,
  statusLine,
} from "./dom.js";
import { orNone, timeOf, yesNo } from "./format.js";

/** Renders the profile of `context.me` into `main`. */
export function renderProfile(main, { me }) {
  const facts = h(
    "dl",
    { class: "facts" },
    [
      ["Username", me.username],
      ["Name", orNone(me.name)],
      ["Email", orNone(me.email)],
      ["Administrator", yesNo(me.isAdmin)],
    ].map(([term, value]) => [h("dt", { text: term }), h("dd", { text: value })]),
    h("dt", { text: "Member since" }),
    h("dd", {}, timeOf(me.created)),
  );

  const current = field({
    name: "oldPassword",
    label: "Current password",
    type: "password",
    autocomplete: "current-password",
    required: true,
    missing: "Enter your current password.",
  });
  const next = newPasswordField({
    label: "New password",
    hint: "At least 8 characters and hard to guess. Your other sessions will end.",
  });
  const fields = [current, next];
  const formError = statusLine({ alert: true });
  const done = statusLine();
  const submit = h("button", { type: "submit", text: "Change password" });
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "password-title", novalidate: true },
    h("h2", { id: "password-title", text: "Change password" }),
    current.wrapper,
    next.wrapper,
    formError,
    h("div", { class: "actions" }, submit, done),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fields, formError);
    say(done, "");
    if (!checkFields(fields)) return;
    await busy(submit, async () => {
      try {
        await call("POST", `/users/${me.id}/password`, {
          body: { password: next.input.value, oldPassword: current.input.value },
        });
        current.input.value = "";
        next.input.value = "";
        next.repeat.input.value = "";
        say(done, "Your password was changed. Your other sessions were ended.");
      } catch (error) {
        showError(error, fields, formError);
      }
    });
  });

  replaceChildren(
    main,
    h(
      "section",
      { class: "view", "aria-labelledby": "profile-title" },
      h("div", { class: "view-head" }, h("h1", { id: "profile-title", tabindex: "-1", text: "My profile" })),
      h("div", { class: "card" }, facts),
      form,
      sessionsCard(),
      tokensCard(me),
    ),
  );
}
