// The one place the console talks to Roster: JSON in, JSON or an ApiError out.
// Signing in sets the session cookie too (HttpOnly: this script never sees it), which
// signs the browser into the apps behind the proxy. The token lives in memory and in
// sessionStorage (this tab only, gone when it closes) and travels in the Authorization
// header; a tab without it (a new tab, a return from an app's sign-in redirect) runs on
// the cookie alone, which the same-origin requests of this page carry.

const TOKEN_KEY = "roster.token";

let token = sessionStorage.getItem(TOKEN_KEY);
/** Whether this tab runs on the session cookie (no token of its own). */
let onCookie = false;
let sessionEnded = () => {};

/** An answer of the API that was not a success: its HTTP status and `{code, message}`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The session is over (token expired or revoked); the sign-in page says so already. */
  get endedSession() {
    return this.status === 401 && this.code !== 2003;
  }
}

/** Whether a token is held (it may still turn out to be expired). */
export function signedIn() {
  return token !== null;
}

/**
 * Whether the session cookie signs this browser in: `GET /user` with it alone. Nothing
 * is said when it does not (there was no session to lose). Resolves to the user or null.
 */
export async function cookieSession() {
  onCookie = true;
  try {
    const { data } = await call("GET", "/user", { quiet: true });
    return data;
  } catch {
    onCookie = false;
    return null;
  }
}

/** Keeps a new token, or forgets it with `null` (and the cookie session with it). */
export function setToken(value) {
  token = value;
  onCookie = false;
  if (value === null) {
    sessionStorage.removeItem(TOKEN_KEY);
  } else {
    sessionStorage.setItem(TOKEN_KEY, value);
  }
}

/** Called once per request that finds the token expired or revoked. */
export function onSessionEnded(handler) {
  sessionEnded = handler;
}

/**
 * Calls `method /api/v1{path}`. `query` values are sent literally (URL-encoded);
 * empty ones are left out. Resolves to `{data, headers}`. An ended session is reported
 * (onSessionEnded) unless `quiet`.
 */
export async function call(method, path, { body, query, quiet = false } = {}) {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") {
      url.searchParams.set(name, String(value));
    }
  }
  const headers = { Accept: "application/json" };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // The session cookie goes along (same origin only); the token, when held, wins.
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, 0, "Roster cannot be reached. Check the connection and try again.");
  }
  const data = await response.json().catch(() => null);
  if (response.ok) return { data, headers: response.headers };
  const error = new ApiError(
    response.status,
    Number(data?.code ?? 0),
    String(data?.message ?? `Unexpected answer from the server (HTTP ${response.status}).`),
  );
  if (error.endedSession && (token !== null || onCookie) && !quiet) {
    setToken(null);
    sessionEnded(error);
  }
  throw error;
}

/** `GET /info`: registration, mail and confirmation; `{}` (nothing offered) when it fails. */
export async function serverInfo() {
  try {
    const { data } = await call("GET", "/info");
    return data ?? {};
  } catch {
    return {};
  }
}

/** The `x-pagination-*` headers of a list answer. */
export function pagination(headers) {
  return {
    totalPages: Number(headers.get("x-pagination-total-pages") ?? 0),
    resultCount: Number(headers.get("x-pagination-result-count") ?? 0),
    totalCount: Number(headers.get("x-pagination-total-count") ?? 0),
  };
}
