// The way back to an app behind the proxy: forward-auth sends a browser that is not
// signed in to /?rd=<the app's address>. After signing in the console sends it back,
// but only where Roster says it may (GET /auth/return): never to another site.

import { call } from "./api.js";

/**
 * The address in `rd`, as given. nginx cannot escape it, so it is taken whole to the end
 * of the query (it may hold `?` and `&` of its own); an escaped one is unescaped.
 */
export function returnRequested() {
  const match = window.location.search.match(/[?&]rd=(.*)$/s);
  if (!match || match[1] === "") return null;
  const raw = match[1];
  try {
    return /^https?%3A/i.test(raw) ? decodeURIComponent(raw) : raw;
  } catch {
    return null;
  }
}

/** The checked address to go back to, or null when there is none or it is not allowed. */
export async function returnAddress() {
  const rd = returnRequested();
  if (rd === null) return null;
  try {
    const { data } = await call("GET", "/auth/return", { query: { rd }, quiet: true });
    return typeof data?.url === "string" ? data.url : null;
  } catch {
    return null;
  }
}
