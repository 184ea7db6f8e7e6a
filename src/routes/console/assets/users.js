// The users table (admins): search by ?s=, pages from the x-pagination-* headers,
// a dialog per user for its actions, and a dialog to create one. The search and the page
// live in the address (`#/users?s=walker&page=2`).

import { pageParam, writeAddress } from "./address.js";
import { call, pagination } from "./api.js";
import {
  busy,
  checkFields,
  clearErrors,
  debounce,
  field,
  newPasswordField,
  h,
  modal,
  pager,
  replaceChildren,
  say,
  showError,
  statusLine,
  usernameProblem,
} from "./dom.js";
import { counted, orNone, timeOf, yesNo } from "./format.js";
import { openUserDialog } from "./user_dialog.js";

const PER_PAGE = 20;

/** Renders the users view into `main`, at the search `s` and `page` of `params`. */
export function renderUsers(main, params, context) {
  let search = params.get("s") ?? "";
  let page = pageParam(params);
  let latest = 0; // answers to older searches are dropped
  const confirming = ["optional", "required"].includes(context.info?.emailConfirmation);

  const status = statusLine();
  const notice = statusLine();
  notice.classList.add("notice");
  const loadError = statusLine({ alert: true });
  const searchBox = h("input", {
    id: "user-search",
    type: "search",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "user-search-hint",
  });
  const body = h("tbody");
  const table = h(
    "table",
    { class: "users" },
    h("caption", { class: "visually-hidden", text: "Users" }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Username", "Name", "Email", "Admin", "Disabled", "Created"].map((title) =>
          h("th", { scope: "col", text: title }),
        ),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })),
      ),
    ),
    body,
  );
  const pages = pager("Users pages", (to) => load(to));
  const create = h("button", { type: "button", text: "New user" });

  /** Shows page `to`; `replace` keeps the history entry (the view's first load). */
  async function load(to = page, { replace = false } = {}) {
    const ticket = ++latest;
    say(loadError, "");
    writeAddress("users", { s: search, page: to > 1 ? to : undefined }, { replace });
    try {
      const { data, headers } = await call("GET", "/users", {
        query: { s: search, page: to, per_page: PER_PAGE },
      });
      if (ticket !== latest) return;
      page = to;
      const { totalPages, resultCount, totalCount } = pagination(headers);
      replaceChildren(body, data.map(row));
      pages.update(page, totalPages);
      say(status, summary(resultCount, totalCount));
    } catch (error) {
      if (ticket === latest) showError(error, [], loadError);
    }
  }

  /** "42 users in all; 20 on this page.", or how many match the search. */
  function summary(resultCount, totalCount) {
    if (totalCount === 0) return search ? `No user matches “${search}”.` : "No users yet.";
    const all = search
      ? `${counted(totalCount, "user")} ${totalCount === 1 ? "matches" : "match"} “${search}”`
      : `${counted(totalCount, "user")} in all`;
    if (resultCount === totalCount) return `${all}.`;
    if (resultCount === 0) return `${all}; none on this page.`;
    return `${all}; ${resultCount} on this page.`;
  }

  function row(user) {
    const edit = h("button", {
      type: "button",
      class: "secondary small",
      "aria-label": `Manage ${user.username}`,
      text: "Manage",
    });
    edit.addEventListener("click", () =>
      openUserDialog(user, {
        me: context.me,
        announce: (message) => say(notice, message),
        // The row is drawn anew after a change; its new button takes the focus back.
        returnFocus: () =>
          body.querySelector(`tr[data-user-id="${user.id}"] button`) ?? searchBox,
        changed: async (changedUser) => {
          await load();
          if (changedUser.id === context.me.id) await context.refreshMe();
        },
      }),
    );
    return h(
      "tr",
      { "data-user-id": user.id },
      h("td", { "data-label": "Username" }, h("span", { class: "username", text: user.username })),
      h("td", { "data-label": "Name", text: orNone(user.name) }),
      h(
        "td",
        { "data-label": "Email" },
        orNone(user.email),
        // Only where addresses are confirmed: elsewhere every address would say so.
        confirming && user.email && !user.emailConfirmed
          ? h("span", { class: "user-id", text: " (unconfirmed)" })
          : null,
      ),
      h("td", { "data-label": "Admin", text: yesNo(user.isAdmin) }),
      h("td", { "data-label": "Disabled", text: yesNo(user.disabled) }),
      h("td", { "data-label": "Created" }, timeOf(user.created)),
      h("td", { class: "row-actions" }, edit),
    );
  }

  searchBox.value = search;
  const typed = debounce(() => {
    search = searchBox.value;
    // An outcome belongs to its action: a new search is another one.
    say(notice, "");
    load(1);
  }, 300);
  searchBox.addEventListener("input", typed);
  create.addEventListener("click", () =>
    openCreateDialog((user) => {
      say(notice, `Created user ${user.username}.`);
      return load(1);
    }),
  );

  replaceChildren(
    main,
    h(
      "section",
      { class: "view", "aria-labelledby": "users-title" },
      h(
        "div",
        { class: "view-head" },
        h("h1", { id: "users-title", tabindex: "-1", text: "Users" }),
        create,
      ),
      h(
        "div",
        { class: "search" },
        h("label", { for: "user-search", text: "Search users" }),
        h("p", {
          id: "user-search-hint",
          class: "hint",
          text: "Matches username, name or email, ignoring case.",
        }),
        searchBox,
      ),
      notice,
      status,
      loadError,
      h("div", { class: "table-wrap" }, table),
      pages.element,
    ),
  );
  load(page, { replace: true });
}

/** The "New user" dialog: PUT /api/v1/users. */
function openCreateDialog(created) {
  const fields = [
    field({ name: "username", label: "Username", required: true, check: usernameProblem }),
    newPasswordField(),
    field({ name: "email", label: "Email (optional)", type: "email" }),
    field({ name: "name", label: "Name (optional)" }),
    field({ name: "isAdmin", label: "Administrator", type: "checkbox" }),
  ];
  const formError = statusLine({ alert: true });
  const submit = h("button", { type: "submit", text: "Create user" });
  const cancel = h("button", { type: "button", class: "secondary", text: "Cancel" });
  const form = h(
    "form",
    { novalidate: true },
    fields.map((f) => f.wrapper),
    formError,
    h("div", { class: "actions" }, submit, cancel),
  );
  const dialog = modal("New user", [form]);
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fields, formError);
    if (!checkFields(fields)) return;
    const [username, password, email, name, isAdmin] = fields.map((f) => f.input);
    await busy(submit, async () => {
      try {
        const { data } = await call("PUT", "/users", {
          body: {
            username: username.value,
            password: password.value,
            email: email.value,
            name: name.value,
            isAdmin: isAdmin.checked,
          },
        });
        dialog.close();
        await created(data);
      } catch (error) {
        showError(error, fields, formError);
      }
    });
  });
  fields[0].input.focus();
}
