// The audit log (admins): newest first, filtered by user (id or name) and event type,
// paged by the x-pagination-* headers. The filters and the page live in the address
// (`#/audit?user=dave&type=login.failed&page=2`).

import { pageParam, writeAddress } from "./address.js";
import { call, pagination } from "./api.js";
import { debounce, h, pager, replaceChildren, say, showError, statusLine } from "./dom.js";
import { NONE, counted, orNone, timeOf } from "./format.js";

/** Every event type GET /api/v1/audit knows, as the filter offers them. */
const EVENT_TYPES = [
  "login.succeeded",
  "login.failed",
  "login.throttled",
  "logout",
  "user.registered",
  "user.created",
  "user.updated",
  "user.disabled",
  "user.enabled",
  "user.deleted",
  "password.changed",
  "tokens.revoked",
  "user.unlocked",
  "password.reset",
  "email.confirmed",
  "session.ended",
  "token.created",
  "token.revoked",
  "group.created",
  "group.updated",
  "group.deleted",
  "group.member_added",
  "group.member_removed",
];

const PER_PAGE = 50;

/**
 * The API filter a user filter's text names: digits are a user id, other text a username
 * (the API also finds the events of a deleted account by the name it had).
 */
function userQuery(text) {
  return /^\d+$/.test(text) ? { user: text } : { username: text };
}

/**
 * A person of an entry, by username with the id beside it (and on hover): `name` is
 * their username now, `recorded` the one the entry kept (for a deleted account).
 */
function person(id, name, recorded) {
  if (id === null || id === undefined) return NONE;
  const shown = name ?? recorded;
  const detail = name === null || name === undefined ? `user #${id}, deleted since` : `user #${id}`;
  return h(
    "span",
    { title: detail },
    shown ? h("span", { class: "username", text: shown }) : null,
    h("span", { class: "user-id", text: shown ? ` (${detail})` : detail }),
  );
}

/** The target cell: the account concerned, or the name tried at a login without one. */
function target(entry) {
  if (entry.targetId !== null && entry.targetId !== undefined) {
    return person(entry.targetId, entry.targetUsername, entry.username);
  }
  if (entry.username) {
    return h(
      "span",
      { title: "The name given at sign-in; no account of that name was concerned." },
      h("span", { class: "username", text: entry.username }),
      h("span", { class: "user-id", text: " (name tried)" }),
    );
  }
  return NONE;
}

/** Renders the audit view into `main`; `params` may hold `user`, `type` and `page`. */
export function renderAudit(main, params) {
  let page = pageParam(params);
  let latest = 0;
  const userFilter = h("input", {
    id: "audit-user",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "audit-user-hint",
  });
  userFilter.value = params.get("user") ?? "";
  const typeFilter = h(
    "select",
    { id: "audit-type" },
    h("option", { value: "", text: "All events" }),
    EVENT_TYPES.map((type) => h("option", { value: type, text: type })),
  );
  typeFilter.value = EVENT_TYPES.includes(params.get("type")) ? params.get("type") : "";
  const status = statusLine();
  const loadError = statusLine({ alert: true });
  const body = h("tbody");
  const pages = pager("Audit log pages", (to) => load(to));

  /** Shows page `to`; `replace` keeps the history entry (the view's first load). */
  async function load(to, { replace = false } = {}) {
    const ticket = ++latest;
    say(loadError, "");
    const user = userFilter.value.trim();
    const type = typeFilter.value;
    writeAddress("audit", { user, type, page: to > 1 ? to : undefined }, { replace });
    try {
      const { data, headers } = await call("GET", "/audit", {
        query: { ...(user ? userQuery(user) : {}), type, page: to, per_page: PER_PAGE },
      });
      if (ticket !== latest) return;
      page = to;
      const { totalPages, resultCount, totalCount } = pagination(headers);
      replaceChildren(body, data.map(row));
      pages.update(page, totalPages);
      say(status, summary(resultCount, totalCount, user || type));
    } catch (error) {
      if (ticket !== latest) return;
      replaceChildren(body);
      pages.update(1, 0);
      say(status, "");
      showError(error, [], loadError);
    }
  }

  function summary(resultCount, totalCount, filtered) {
    if (totalCount === 0) return filtered ? "No events match." : "No events yet.";
    const all = `${counted(totalCount, "event")} ${filtered ? (totalCount === 1 ? "matches" : "match") : "in all"}`;
    const here = resultCount === totalCount ? "" : `; ${resultCount} on this page`;
    return `${all}${here}, newest first.`;
  }

  function row(entry) {
    return h(
      "tr",
      {},
      h("td", { "data-label": "Time" }, timeOf(entry.time, { seconds: true })),
      // Changes an identity provider made over SCIM say so.
      h(
        "td",
        { "data-label": "Event" },
        h("code", { text: entry.type }),
        entry.via ? h("span", { class: "user-id", text: ` via ${entry.via.toUpperCase()}` }) : null,
      ),
      // Acting on oneself (signing in, out): the recorded name is the actor's too.
      h(
        "td",
        { "data-label": "Actor" },
        person(entry.actorId, entry.actorUsername, entry.actorId === entry.targetId ? entry.username : undefined),
      ),
      h("td", { "data-label": "Target" }, target(entry)),
      h("td", { "data-label": "Address", text: orNone(entry.ip) }),
    );
  }

  userFilter.addEventListener("input", debounce(() => load(1), 300));
  typeFilter.addEventListener("change", () => load(1));

  replaceChildren(
    main,
    h(
      "section",
      { class: "view", "aria-labelledby": "audit-title" },
      h("div", { class: "view-head" }, h("h1", { id: "audit-title", tabindex: "-1", text: "Audit log" })),
      h(
        "div",
        { class: "filters" },
        h(
          "div",
          { class: "field" },
          h("label", { for: "audit-user", text: "User (id or username)" }),
          h("p", {
            id: "audit-user-hint",
            class: "hint",
            text: "Events the user did or that were done to them; a deleted user's too, by the name it had.",
          }),
          userFilter,
        ),
        h("div", { class: "field" }, h("label", { for: "audit-type", text: "Event type" }), typeFilter),
      ),
      status,
      loadError,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "audit" },
          h("caption", { class: "visually-hidden", text: "Audit events, newest first" }),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Time", "Event", "Actor", "Target", "Address"].map((title) => h("th", { scope: "col", text: title })),
            ),
          ),
          body,
        ),
      ),
      pages.element,
    ),
  );
  load(page, { replace: true });
}
