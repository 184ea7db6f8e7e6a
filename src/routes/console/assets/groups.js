// The groups view (admins): every group with its member count, a dialog to create one, and
// a dialog per group to rename it, see and change its members, or delete it.

import { call } from "./api.js";
import {
  ask,
  busy,
  checkFields,
  clearErrors,
  field,
  h,
  modal,
  replaceChildren,
  say,
  showError,
  statusLine,
} from "./dom.js";
import { counted, orNone } from "./format.js";

/** What a group name may be, as the server checks it; "" when fine. */
function groupNameProblem(text) {
  if (text.length > 64) return "At most 64 characters.";
  if (!/^[A-Za-z0-9._ -]+$/.test(text)) return "Only letters (a-z, A-Z), digits, “.”, “_”, “-” and spaces.";
  if (!/^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(text)) return "Begin and end with a letter or digit.";
  return "";
}

/** Renders the groups view into `main`. */
export function renderGroups(main) {
  const status = statusLine();
  const loadError = statusLine({ alert: true });
  const body = h("tbody");
  const summary = h("p", { class: "meta" });
  const table = h(
    "table",
    { class: "groups" },
    h("caption", { class: "visually-hidden", text: "Groups" }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Name", "Description", "Members"].map((title) => h("th", { scope: "col", text: title })),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })),
      ),
    ),
    body,
  );

  const load = async () => {
    let groups;
    try {
      ({ data: groups } = await call("GET", "/groups", { query: { per_page: 1000 } }));
    } catch (error) {
      say(loadError, error.message);
      return;
    }
    say(summary, groups.length === 0 ? "No groups yet." : counted(groups.length, "group"));
    replaceChildren(
      body,
      groups.map((group) =>
        h(
          "tr",
          {},
          h("td", { text: group.name }),
          h("td", { text: orNone(group.description) }),
          h("td", { text: String(group.memberCount) }),
          h(
            "td",
            {},
            h("button", {
              type: "button",
              class: "secondary",
              text: "Manage",
              "aria-label": `Manage group ${group.name}`,
              on: { click: () => openGroupDialog(group, { changed: load, announce: (text) => say(status, text) }) },
            }),
          ),
        ),
      ),
    );
  };

  const create = h("button", { type: "button", text: "New group", on: { click: () => openCreateDialog(load, (text) => say(status, text)) } });
  replaceChildren(
    main,
    h(
      "section",
      { class: "view", "aria-labelledby": "groups-title" },
      h("div", { class: "view-head" }, h("h1", { id: "groups-title", tabindex: "-1", text: "Groups" }), create),
      status,
      loadError,
      summary,
      h("div", { class: "table-wrap" }, table),
    ),
  );
  load();
}

/** The name and description fields, filled with `group`'s when given. */
function groupFields(group) {
  return [
    field({ name: "name", label: "Name", value: group?.name ?? "", required: true, check: groupNameProblem }),
    field({ name: "description", label: "Description (optional)", value: group?.description ?? "" }),
  ];
}

function openCreateDialog(changed, announce) {
  const fields = groupFields(null);
  const formError = statusLine({ alert: true });
  const submit = h("button", { type: "submit", text: "Create group" });
  const form = h("form", { novalidate: true }, fields.map((f) => f.wrapper), formError, h("div", { class: "actions" }, submit));
  const dialog = modal("New group", form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fields, formError);
    if (!checkFields(fields)) return;
    await busy(submit, async () => {
      try {
        const { data } = await call("PUT", "/groups", {
          body: { name: fields[0].input.value, description: fields[1].input.value },
        });
        dialog.close();
        announce(`Group ${data.name} created.`);
        await changed();
      } catch (error) {
        showError(error, fields, formError);
      }
    });
  });
  fields[0].input.focus();
}

function openGroupDialog(initial, { changed, announce }) {
  let group = initial;
  const fields = groupFields(group);
  const formError = statusLine({ alert: true });
  const saved = statusLine();
  const save = h("button", { type: "submit", text: "Save changes" });
  const details = h("form", { novalidate: true }, fields.map((f) => f.wrapper), formError, h("div", { class: "actions" }, save, saved));
  details.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(fields, formError);
    say(saved, "");
    if (!checkFields(fields)) return;
    const body = {};
    if (fields[0].input.value !== group.name) body.name = fields[0].input.value;
    if (fields[1].input.value !== group.description) body.description = fields[1].input.value;
    if (Object.keys(body).length === 0) {
      say(saved, "Nothing to save: no field was changed.");
      return;
    }
    await busy(save, async () => {
      try {
        ({ data: group } = await call("POST", `/groups/${group.id}`, { body }));
        say(saved, "Saved.");
        await changed();
      } catch (error) {
        showError(error, fields, formError);
      }
    });
  });

  const membersBody = h("tbody");
  const membersStatus = statusLine();
  const membersTable = h(
    "table",
    {},
    h("caption", { class: "visually-hidden", text: `Members of ${group.name}` }),
    h("thead", {}, h("tr", {}, ["Username", "Name"].map((t) => h("th", { scope: "col", text: t })), h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })))),
    membersBody,
  );
  const loadMembers = async () => {
    let members;
    try {
      ({ data: members } = await call("GET", `/groups/${group.id}/members`, { query: { per_page: 1000 } }));
    } catch (error) {
      say(membersStatus, error.message);
      return;
    }
    replaceChildren(
      membersBody,
      members.map((user) =>
        h(
          "tr",
          {},
          h("td", { text: user.username }),
          h("td", { text: orNone(user.name) }),
          h(
            "td",
            {},
            h("button", {
              type: "button",
              class: "secondary",
              text: "Remove",
              "aria-label": `Remove ${user.username} from ${group.name}`,
              on: {
                click: async (event) => {
                  await busy(event.currentTarget, async () => {
                    try {
                      await call("DELETE", `/groups/${group.id}/members/${user.id}`);
                      say(membersStatus, `${user.username} removed.`);
                      await loadMembers();
                      await changed();
                    } catch (error) {
                      say(membersStatus, error.message);
                    }
                  });
                },
              },
            }),
          ),
        ),
      ),
    );
  };
  const who = field({ name: "member", label: "Add a user (username)", required: true, missing: "Enter a username." });
  const addError = statusLine({ alert: true });
  const add = h("button", { type: "submit", text: "Add" });
  const adding = h("form", { novalidate: true }, who.wrapper, addError, h("div", { class: "actions" }, add));
  adding.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors([who], addError);
    if (!checkFields([who])) return;
    const wanted = who.input.value.trim().toLowerCase();
    await busy(add, async () => {
      try {
        const { data: found } = await call("GET", "/users", { query: { s: wanted, per_page: 1000 } });
        const user = found.find((u) => u.username.toLowerCase() === wanted);
        if (!user) {
          say(addError, `No user is named ${who.input.value.trim()}.`);
          return;
        }
        await call("PUT", `/groups/${group.id}/members`, { body: { userId: user.id } });
        who.input.value = "";
        say(membersStatus, `${user.username} is in ${group.name}.`);
        await loadMembers();
        await changed();
      } catch (error) {
        say(addError, error.message);
      }
    });
  });

  const remove = h("button", { type: "button", class: "danger", text: "Delete group" });
  const removeError = statusLine({ alert: true });
  remove.addEventListener("click", async () => {
    const question = {
      title: `Delete ${group.name}?`,
      text: `The group ${group.name} and its memberships are deleted; its users stay.`,
      yes: `Delete ${group.name}`,
    };
    if (!(await ask(question))) return;
    await busy(remove, async () => {
      try {
        await call("DELETE", `/groups/${group.id}`);
        dialog.close();
        announce(`Group ${group.name} deleted.`);
        await changed();
      } catch (error) {
        say(removeError, error.message);
      }
    });
  });

  const section = (title, ...content) => {
    const id = `group-section-${title.toLowerCase().replaceAll(" ", "-")}`;
    return h("section", { class: "dialog-section", "aria-labelledby": id }, h("h3", { id, text: title }), ...content);
  };
  const dialog = modal(`Group ${group.name}`, [
    section("Details", details),
    section("Members", h("div", { class: "table-wrap" }, membersTable), membersStatus, adding),
    section("Delete", h("p", { text: "Deleting a group removes its memberships; its users stay." }), remove, removeError),
  ]);
  loadMembers();
}
