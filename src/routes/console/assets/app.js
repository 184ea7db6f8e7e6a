// The console's entry point: who is signed in, which view the address names, the
// navigation. Views: #/users, #/groups and #/audit for admins, #/profile for everyone; their
// parameters (page, search, filters) live in the address too (address.js).

import { addressShown, clearAddress, markShown, readAddress } from "./address.js";
import { call, cookieSession, onSessionEnded, serverInfo, setToken, signedIn } from "./api.js";
import { renderAudit } from "./audit.js";
import { renderGroups } from "./groups.js";
import { mailLink, renderMailLink } from "./links.js";
import { renderProfile } from "./profile.js";
import { returnAddress, returnRequested } from "./returnto.js";
import { renderSignIn } from "./signin.js";
import { renderUsers } from "./users.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const session = document.getElementById("session");
const signedInAs = document.getElementById("signed-in-as");

/** The signed-in user, as GET /api/v1/user answered; null when signed out. */
let me = null;
/** What the server offers (GET /api/v1/info), read at sign-in. */
let info = {};

/** Closes open dialogs: a new view or the sign-in page must not sit behind one. */
function closeDialogs() {
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
}

function showSignIn(notice) {
  closeDialogs();
  me = null;
  nav.hidden = true;
  session.hidden = true;
  document.title = "Sign in · Roster";
  renderSignIn(main, { notice, onSignedIn: start });
}

/**
 * Reads the signed-in user again after a change to their own account; when their admin
 * rights changed, the views follow (a former admin lands on their profile).
 */
async function refreshMe() {
  const wasAdmin = me?.isAdmin;
  try {
    const { data } = await call("GET", "/user");
    me = data;
  } catch {
    return; // an ended session has shown the sign-in page
  }
  showChrome();
  if (me.isAdmin !== wasAdmin) route({ redraw: true });
}

function showChrome() {
  signedInAs.textContent = `Signed in as ${me.username}`;
  for (const link of nav.querySelectorAll("[data-admin]")) {
    link.parentElement.hidden = !me.isAdmin;
  }
  nav.hidden = false;
  session.hidden = false;
}

async function start() {
  try {
    const [{ data }, offered] = await Promise.all([call("GET", "/user"), serverInfo()]);
    me = data;
    info = offered;
  } catch (error) {
    if (!error.endedSession) showSignIn(error.message);
    return;
  }
  if (await goBack()) return;
  showChrome();
  if (!window.location.hash) {
    // Without a hashchange event: route() below renders the view once.
    window.history.replaceState(null, "", me.isAdmin ? "#/users" : "#/profile");
  }
  route({ redraw: true });
}

/**
 * Draws the view the address names, unless the page shows it already (a view wrote the
 * address itself) and no `redraw` is asked for.
 */
function route({ redraw = false } = {}) {
  if (me === null || (!redraw && addressShown())) return;
  markShown();
  closeDialogs();
  let { view, params } = readAddress();
  // Normal users have their profile only; any other address shows it.
  if (!me.isAdmin || !["users", "groups", "audit", "profile"].includes(view)) {
    view = me.isAdmin ? "users" : "profile";
  }
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.route === view) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }
  const context = { me, refreshMe, showSignIn, info };
  if (view === "users") {
    document.title = "Users · Roster";
    renderUsers(main, params, context);
  } else if (view === "groups") {
    document.title = "Groups · Roster";
    renderGroups(main);
  } else if (view === "audit") {
    document.title = "Audit log · Roster";
    renderAudit(main, params, context);
  } else {
    document.title = "My profile · Roster";
    renderProfile(main, context);
  }
  // Tell screen readers a new view is there: focus its heading.
  main.querySelector("h1")?.focus();
}

/**
 * Sends the browser back to the app that sent it here to sign in, when Roster allows
 * that address; resolves to whether it did.
 */
async function goBack() {
  if (returnRequested() === null) return false;
  const url = await returnAddress();
  // Once handled, the address has no rd: the back button or a reload shows the console.
  window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  if (url === null) return false;
  main.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Signed in. Taking you back…" }));
  window.location.assign(url);
  return true;
}

document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await call("POST", "/logout");
  } catch {
    // Signed out either way: the token is forgotten below.
  }
  setToken(null);
  clearAddress();
  showSignIn("You have signed out.");
});

onSessionEnded(() => showSignIn("Your session has expired or was ended. Please sign in again."));
// The back button brings both events (history.pushState entries differ in the hash too);
// the second finds its address shown already.
window.addEventListener("hashchange", () => route());
window.addEventListener("popstate", () => route());

const link = mailLink();
if (link) {
  // A link from a mail: its page first, then sign-in (a session in this tab is left be).
  renderMailLink(main, link, (notice) => showSignIn(notice));
} else if (signedIn()) {
  start();
} else {
  // Signed in elsewhere in this browser (another tab, an app behind the proxy)?
  cookieSession().then((user) => (user ? start() : showSignIn()));
}
