// How values read in tables and headings.

/** A `<time>` for unix seconds, in the browser's locale and time zone. */
export function timeOf(seconds) {
  const date = new Date(seconds * 1000);
  const element = document.createElement("time");
  element.dateTime = date.toISOString();
  element.textContent = date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return element;
}

/** "Yes" or "No". */
export function yesNo(flag) {
  return flag ? "Yes" : "No";
}

/** How a user is named in headings and confirmations: the username, and the name if any. */
export function userLabel(user) {
  return user.name ? `${user.username} (${user.name})` : user.username;
}
