// Building the page. Text always goes in as text (text nodes, textContent, attribute
// values), never parsed as markup: a user named "<img onerror=...>" shows as those
// characters.

let nextId = 0;

/** A unique element id with a readable prefix. */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * Creates `<tag>` with attributes and children. Attributes: `class`, `text`
 * (textContent), `on` ({event: handler}), booleans (`true` sets, `false` omits),
 * anything else via setAttribute. Children: nodes, or strings added as text.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") {
      element.textContent = String(value);
    } else if (name === "on") {
      for (const [event, handler] of Object.entries(value)) {
        element.addEventListener(event, handler);
      }
    } else if (name === "class") {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Removes every child of `element` and adds `children` instead. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  for (const child of children.flat()) {
    if (child) element.append(child);
  }
}

/** Which form field an API error code is about. */
const FIELD_OF_CODE = {
  1010: "username",
  1020: "username",
  1011: "password",
  1018: "password",
  1012: "email",
  1016: "email",
  1021: "email",
  1013: "name",
  1017: "oldPassword",
  3004: "oldPassword",
};

/**
 * The console's own words for answers whose API message names API fields (`oldPassword`):
 * a person filling in the form reads the form's labels, not the API's.
 */
const WORDS_OF_CODE = {
  1017: "Enter your current password.",
  3004: "The current password is wrong.",
};

/**
 * A labelled input with a place for its error. `name` is the API's field name, so an
 * error code can find it. Before a form is sent, `checkFields` asks each field what is
 * wrong with it: empty when `required` (saying `missing`), not an email address for
 * `type: "email"`, shorter than `minLength`, then the field's own `check(value)`.
 */
export function field({
  name,
  label,
  type = "text",
  value = "",
  autocomplete,
  required,
  hint,
  minLength,
  missing = `${label} is required.`,
  check,
}) {
  const id = uid(`field-${name}`);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h("input", {
    id,
    name,
    type,
    autocomplete: autocomplete ?? "off",
    required,
    minlength: minLength,
    spellcheck: type === "text" ? "false" : undefined,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
  });
  if (type === "checkbox") {
    input.checked = Boolean(value);
  } else {
    input.value = value ?? "";
  }
  const error = h("p", { id: errorId, class: "field-error", hidden: true });
  const labelElement = h("label", { for: id }, label);
  const parts =
    type === "checkbox"
      ? [h("div", { class: "check" }, input, labelElement)]
      : [labelElement, hint ? h("p", { id: hintId, class: "hint", text: hint }) : null, input];
  const wrapper = h("div", { class: "field", "data-field": name }, ...parts, error);
  function problem() {
    if (type === "checkbox") return "";
    const text = input.value;
    if (text === "") return required ? missing : "";
    if (type === "email" && input.validity.typeMismatch) {
      return "Enter an email address such as name@example.com.";
    }
    if (minLength && text.length < minLength) {
      return `At least ${minLength} characters, please: this one has ${text.length}.`;
    }
    return check?.(text) ?? "";
  }
  return { name, input, error, wrapper, problem };
}

/** What is wrong with a username by Roster's naming rules (as the server checks them). */
export function usernameProblem(text) {
  if (text.length > 64) return "At most 64 characters.";
  if (!/^[A-Za-z0-9._@+-]+$/.test(text)) {
    return "Only letters (a-z, A-Z), digits, “.”, “_”, “-”, “@” and “+”, without spaces.";
  }
  if (!/[A-Za-z0-9]/.test(text)) return "At least one letter or digit.";
  return "";
}

/** The field for a new password (the API's `password`), with the policy as its hint. */
export function newPasswordField({ label = "Password", hint = "At least 8 characters and hard to guess." } = {}) {
  const password = field({
    name: "password",
    label,
    type: "password",
    autocomplete: "new-password",
    required: true,
    hint,
    minLength: 8,
  });
  // A typo in a password nobody can see would lock its owner out: it is typed twice.
  const repeat = field({
    name: "passwordRepeat",
    label: `Repeat the ${label.toLowerCase()}`,
    type: "password",
    autocomplete: "new-password",
    required: true,
    missing: "Type the password a second time.",
    check: (text) =>
      text === password.input.value ? "" : "The two passwords differ: type the same one twice.",
  });
  return { ...password, wrapper: h("div", { class: "password-pair" }, password.wrapper, repeat.wrapper), repeat };
}

/** `fields` with the repetitions of new passwords, in the order of the form. */
function everyInput(fields) {
  return fields.flatMap((f) => (f.repeat ? [f, f.repeat] : [f]));
}

/** Shows `message` as the error of field `f`. */
function markField(f, message) {
  f.error.textContent = message;
  f.error.hidden = false;
  f.input.setAttribute("aria-invalid", "true");
}

/**
 * Checks every field before a form is sent and shows every error at once, focusing the
 * first field in error; true when there is none. The server checks again: this only
 * saves a round trip per mistake.
 */
export function checkFields(fields) {
  let first = null;
  for (const f of everyInput(fields)) {
    const message = f.problem();
    if (message) {
      markField(f, message);
      first ??= f;
    }
  }
  first?.input.focus();
  return first === null;
}

/** A status line that screen readers announce; `role="alert"` for errors. */
export function statusLine({ alert = false } = {}) {
  const element = h("p", {
    class: alert ? "form-error" : "status",
    role: alert ? "alert" : "status",
    hidden: alert,
  });
  return element;
}

/** Shows `message` in `element` (or hides it when empty). */
export function say(element, message) {
  element.textContent = message ?? "";
  element.hidden = !message;
}

/** Clears every field error of `fields` and the form-level message. */
export function clearErrors(fields, formError) {
  for (const f of everyInput(fields)) {
    f.error.hidden = true;
    f.error.textContent = "";
    f.input.removeAttribute("aria-invalid");
  }
  if (formError) say(formError, "");
}

/**
 * Shows an API error next to the field it concerns (focusing that field), or in
 * `formError` when no field of the form is concerned. Ended sessions are left to the
 * sign-in page.
 */
export function showError(error, fields, formError) {
  if (error?.endedSession) return;
  const message = WORDS_OF_CODE[error?.code] ?? error?.message ?? String(error);
  const target = fields.find((f) => f.name === FIELD_OF_CODE[error?.code]);
  if (target) {
    markField(target, message);
    target.input.focus();
  } else if (formError) {
    say(formError, message);
  }
}

/** Runs `action` with `button` disabled and marked busy meanwhile. */
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** Calls `action` once typing has paused for `ms`. */
export function debounce(action, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(...args), ms);
  };
}

/**
 * A modal `<dialog>` titled `title` holding `content`, removed from the page when closed.
 * Escape closes it (the browser's own behaviour). The focus then returns to what had it
 * before, or to `returnFocus()` when given (the opener may have been re-rendered).
 */
export function modal(title, content, { returnFocus } = {}) {
  const titleId = uid("dialog-title");
  const opener = document.activeElement;
  const close = h("button", {
    type: "button",
    class: "close",
    "aria-label": "Close",
    text: "×",
  });
  const dialog = h(
    "dialog",
    { "aria-labelledby": titleId },
    h("div", { class: "dialog-head" }, h("h2", { id: titleId, text: title }), close),
    content,
  );
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    const target = returnFocus?.() ?? opener;
    if (target instanceof HTMLElement && target.isConnected) target.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Previous / next page buttons and "Page n of m". `go(page)` loads a page. */
export function pager(label, go) {
  const previous = h("button", { type: "button", class: "secondary", text: "Previous page" });
  const next = h("button", { type: "button", class: "secondary", text: "Next page" });
  const where = h("span", { class: "page-of", "aria-live": "polite" });
  const nav = h("nav", { class: "pager", "aria-label": label }, previous, where, next);
  let current = 1;
  previous.addEventListener("click", () => go(current - 1));
  next.addEventListener("click", () => go(current + 1));
  return {
    element: nav,
    /** Shows page `page` of `totalPages`. */
    update(page, totalPages) {
      current = page;
      where.textContent = totalPages === 0 ? "No pages" : `Page ${page} of ${totalPages}`;
      previous.disabled = page <= 1;
      next.disabled = page >= totalPages;
      nav.hidden = totalPages <= 1 && page <= 1;
    },
  };
}

/**
 * Asks `title` (naming what is at stake) with `text` and a button `yes`; resolves true only on an
 * explicit yes. Cancel has the focus, so Enter alone does nothing.
 */
export function ask({ title, text, yes }) {
  return new Promise((resolve) => {
    const cancel = h("button", { type: "button", class: "secondary", text: "Cancel" });
    const confirm = h("button", { type: "button", class: "danger", text: yes });
    const dialog = modal(title, [h("p", { text }), h("div", { class: "actions" }, confirm, cancel)]);
    dialog.setAttribute("role", "alertdialog");
    let answer = false;
    cancel.addEventListener("click", () => dialog.close());
    confirm.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => resolve(answer));
    cancel.focus();
  });
}
