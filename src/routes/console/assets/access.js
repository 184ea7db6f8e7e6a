// The profile's sessions and API tokens: where one is signed in (each can be signed out),
// and long-lived tokens for scripts, shown once when made.

import { call } from "./api.js";
import { busy, clearErrors, field, h, replaceChildren, say, showError, statusLine, uid } from "./dom.js";
import { NONE, timeOf } from "./format.js";

/** The scopes a token can have; `admin` ones are offered to admins only. */
const SCOPES = [
  ["account", "Your own account: profile, password, sessions", false],
  ["forward-auth", "Pass the proxy into the apps behind it", false],
  ["users:read", "Read users", true],
  ["users:write", "Create, change and delete users", true],
  ["audit:read", "Read the audit log", true],
  ["scim", "Provision users over SCIM", true],
];

/** A table with a caption and column titles, and `rows` of cells. */
function table(caption, titles, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden", text: caption }),
      h("thead", {}, h("tr", {}, titles.map((title) => h("th", { scope: "col", text: title })))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))),
    ),
  );
}

/** The card of one's sessions, each with "Sign out" but the current one. */
export function sessionsCard() {
  const status = statusLine();
  const body = h("div", {}, h("p", { text: "Loading…" }));
  const card = h(
    "section",
    { class: "card", "aria-labelledby": "sessions-title" },
    h("h2", { id: "sessions-title", text: "Where you are signed in" }),
    body,
    status,
  );
  const load = async () => {
    let sessions;
    try {
      ({ data: sessions } = await call("GET", "/user/sessions"));
    } catch (error) {
      say(status, error.message);
      return;
    }
    const rows = sessions.map((s) => {
      const action = s.current
        ? h("span", { text: "This browser" })
        : h("button", {
            type: "button",
            class: "secondary",
            text: "Sign out",
            "aria-label": `Sign out the session from ${s.ip || "an unknown address"}, signed in ${new Date(s.created * 1000).toLocaleString()}`,
            on: {
              click: async (event) => {
                await busy(event.currentTarget, async () => {
                  try {
                    await call("DELETE", `/user/sessions/${s.id}`);
                    say(status, "That session is signed out.");
                    await load();
                  } catch (error) {
                    say(status, error.message);
                  }
                });
              },
            },
          });
      return [timeOf(s.created), timeOf(s.lastUsed), s.ip || NONE, s.userAgent || NONE, action];
    });
    replaceChildren(body, table("Your sessions", ["Signed in", "Last used", "From", "Browser or app", ""], rows));
  };
  load();
  return card;
}

/** The card of one's API tokens: the list with "Revoke", and a form to make one. */
export function tokensCard(me) {
  const status = statusLine();
  const list = h("div", {}, h("p", { text: "Loading…" }));
  const made = h("div", { class: "made-token", role: "status" });

  const load = async () => {
    let tokens;
    try {
      ({ data: tokens } = await call("GET", "/tokens"));
    } catch (error) {
      say(status, error.message);
      return;
    }
    if (tokens.length === 0) {
      replaceChildren(list, h("p", { text: "You have no API tokens." }));
      return;
    }
    const rows = tokens.map((t) => [
      t.title,
      t.scopes.join(", "),
      t.expiresAt === null ? "Never" : timeOf(t.expiresAt),
      timeOf(t.lastUsed),
      h("button", {
        type: "button",
        class: "secondary",
        text: "Revoke",
        "aria-label": `Revoke the token ${t.title}`,
        on: {
          click: async (event) => {
            await busy(event.currentTarget, async () => {
              try {
                await call("DELETE", `/tokens/${t.id}`);
                say(status, `The token "${t.title}" is revoked.`);
                replaceChildren(made);
                await load();
              } catch (error) {
                say(status, error.message);
              }
            });
          },
        },
      }),
    ]);
    replaceChildren(list, table("Your API tokens", ["Title", "Scopes", "Expires", "Last used", ""], rows));
  };

  const title = field({ name: "title", label: "Title", required: true, missing: "Give the token a title." });
  const expires = field({ name: "expiresAt", label: "Expires on (optional)", type: "date" });
  const boxes = SCOPES.filter(([, , admin]) => !admin || me.isAdmin).map(([scope, about]) => {
    const id = uid("scope");
    const input = h("input", { type: "checkbox", id, name: "scopes", value: scope });
    return { scope, input, label: h("label", { for: id }, input, ` ${scope}: ${about}`) };
  });
  const scopesError = statusLine({ alert: true });
  const formError = statusLine({ alert: true });
  const submit = h("button", { type: "submit", text: "Create token" });
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "new-token-title" },
    h("h3", { id: "new-token-title", text: "New token" }),
    title.wrapper,
    h("fieldset", {}, h("legend", { text: "What it may do" }), boxes.map((b) => h("div", {}, b.label)), scopesError),
    expires.wrapper,
    formError,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors([title, expires], formError);
    say(scopesError, "");
    const scopes = boxes.filter((b) => b.input.checked).map((b) => b.scope);
    let problem = false;
    if (!title.input.value.trim()) {
      say(formError, "Give the token a title.");
      problem = true;
    }
    if (scopes.length === 0) {
      say(scopesError, "Choose at least one thing it may do.");
      problem = true;
    }
    if (problem) return;
    const day = expires.input.value;
    const expiresAt = day ? Math.floor(new Date(`${day}T23:59:59`).getTime() / 1000) : null;
    await busy(submit, async () => {
      try {
        const { data } = await call("PUT", "/tokens", { body: { title: title.input.value, scopes, expiresAt } });
        title.input.value = "";
        expires.input.value = "";
        for (const box of boxes) box.input.checked = false;
        showSecret(made, data);
        await load();
      } catch (error) {
        showError(error, [title, expires], formError);
      }
    });
  });

  load();
  return h(
    "section",
    { class: "card", "aria-labelledby": "tokens-title" },
    h("h2", { id: "tokens-title", text: "API tokens" }),
    h("p", { text: "For scripts and tools: a token may do only what you choose, and never more than your account may." }),
    list,
    status,
    made,
    form,
  );
}

/** Shows a new token's secret once, with a copy button. */
function showSecret(place, token) {
  const id = uid("secret");
  const secret = h("input", { id, type: "text", readonly: true, value: token.token, class: "secret", spellcheck: "false" });
  const copied = statusLine();
  const copy = h("button", {
    type: "button",
    text: "Copy",
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(token.token);
          say(copied, "Copied.");
        } catch {
          secret.select();
          say(copied, "Select the text and copy it.");
        }
      },
    },
  });
  replaceChildren(
    place,
    h("p", { text: `Your new token "${token.title}". Copy it now: it will not be shown again.` }),
    h("label", { for: id, text: "Token" }),
    h("div", { class: "actions" }, secret, copy, copied),
  );
  secret.focus();
  secret.select();
}
