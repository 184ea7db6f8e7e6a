// Views live in the address (`#/users?s=walker&page=2`), so a reload or the back button
// shows the same view. A view writes its state here as it changes; app.js renders only
// addresses that the view on screen does not show already.

/** The address the page on screen shows (what the view last wrote, or was drawn for). */
let shown = null;

/** The view the address names, and its parameters (`#/audit?user=3`). */
export function readAddress() {
  const [path, query] = window.location.hash.replace(/^#\/?/, "").split("?");
  return { view: path || "", params: new URLSearchParams(query ?? "") };
}

/** Whether the page on screen already shows the address (the view wrote it itself). */
export function addressShown() {
  return window.location.hash === shown;
}

/** Notes that the page on screen now shows the address as it is. */
export function markShown() {
  shown = window.location.hash;
}

/**
 * Writes `view` and `params` into the address, leaving out empty values, without drawing
 * anything (the view shows them already): a new history entry for the back button to
 * return to, or with `replace` the current one (a view's first load tidying the address).
 */
export function writeAddress(view, params, { replace = false } = {}) {
  const kept = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== "");
  const query = new URLSearchParams(kept.map(([name, value]) => [name, String(value)])).toString();
  const hash = `#/${view}${query ? `?${query}` : ""}`;
  if (hash !== window.location.hash) {
    window.history[replace ? "replaceState" : "pushState"](null, "", hash);
  }
  shown = hash;
}

/** Empties the address (signing out): the next person starts from their own default view. */
export function clearAddress() {
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  shown = null;
}

/** The page number a `page` parameter names: a whole number from 1, else 1. */
export function pageParam(params) {
  const page = Number(params.get("page"));
  return Number.isInteger(page) && page >= 1 ? page : 1;
}
