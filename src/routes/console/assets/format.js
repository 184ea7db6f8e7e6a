// How values read in tables and headings.

/** What every view shows for a missing value (no name, no email, no actor). */
export const NONE = "—";

/** `text`, or the dash of a missing value when it is empty or absent. */
export function orNone(text) {
  return text === undefined || text === null || text === "" ? NONE : text;
}

/**
 * A `<time>` for unix seconds, in the browser's locale and time zone; with `seconds`
 * (the audit log, where the order of events within a minute matters) to the second.
 */
export function timeOf(unixSeconds, { seconds = false } = {}) {
  const date = new Date(unixSeconds * 1000);
  const element = document.createElement("time");
  element.dateTime = date.toISOString();
  element.textContent = date.toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: seconds ? "medium" : "short",
  });
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

/** "1 user", "2 users": `count` and the noun in the right number. */
export function counted(count, singular, plural = `${singular}s`) {
  return `${count} ${count === 1 ? singular : plural}`;
}
