// The audit log (admins): newest first, filtered by user id and event type, paged by
// the x-pagination-* headers.

import { call, pagination } from "./api.js";
import { debounce, h, pager, replaceChildren, say, showError, statusLine } from "./dom.js";
import { timeOf } from "./format.js";

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
];

const PER_PAGE = 50;

/**
 * The user id a filter value names: digits are an id (checked by the API); other text is
 * a username, matched exactly (ignoring case) among the first 1,000 users whose fields
 * contain it.
 */
async function userIdOf(text) {
  if (text === "" || /^\d+$/.test(text)) return text;
  const { data } = await call("GET", "/users", { query: { s: text, per_page: 1000 } });
  const match = data.find((user) => user.username.toLowerCase() === text.toLowerCase());
  if (!match) throw new Error(`No user is named “${text}”. Enter the user's id instead.`);
  return String(match.id);
}

/** Renders the audit view into `main`; `params` may hold `user` and `type`. */
export function renderAudit(main, params) {
  let page = 1;
  let latest = 0;
  const userFilter = h("input", {
    id: "audit-user",
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
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

  async function load(to) {
    const ticket = ++latest;
    say(loadError, "");
    try {
      const user = await userIdOf(userFilter.value.trim());
      const { data, headers } = await call("GET", "/audit", {
        query: { user, type: typeFilter.value, page: to, per_page: PER_PAGE },
      });
      if (ticket !== latest) return;
      page = to;
      const { totalPages, resultCount } = pagination(headers);
      replaceChildren(body, data.map(row));
      pages.update(page, totalPages);
      const events = resultCount === 1 ? "1 event" : `${resultCount} events`;
      say(status, resultCount === 0 ? "No events match." : `${events} on this page, newest first.`);
    } catch (error) {
      if (ticket !== latest) return;
      replaceChildren(body);
      pages.update(1, 0);
      say(status, "");
      showError(error, [], loadError);
    }
  }

  function row(entry) {
    const who = (id) => (id === null || id === undefined ? "—" : `#${id}`);
    return h(
      "tr",
      {},
      h("td", { "data-label": "Time" }, timeOf(entry.time)),
      h("td", { "data-label": "Event" }, h("code", { text: entry.type })),
      h("td", { "data-label": "Actor", text: who(entry.actorId) }),
      h("td", { "data-label": "Target", text: who(entry.targetId) }),
      h("td", { "data-label": "Username", text: entry.username ?? "" }),
      h("td", { "data-label": "Address", text: entry.ip ?? "" }),
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
          h("p", { id: "audit-user-hint", class: "hint", text: "Events the user did or that were done to them." }),
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
              ["Time", "Event", "Actor", "Target", "Username", "Address"].map((title) =>
                h("th", { scope: "col", text: title }),
              ),
            ),
          ),
          body,
        ),
      ),
      pages.element,
    ),
  );
  load(1);
}
