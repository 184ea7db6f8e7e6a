// Forward-auth in a real browser: Debian's headless Chromium (driven by playwright-core
// from tests/console/node_modules) opens an app behind nginx, lands on Roster's sign-in,
// signs in, and lands back on the app, which shows the user the proxy passed on; an app
// behind Caddy on the same domain then lets the browser straight in (the shared cookie).
//
//   node tests/forward_auth/browser.mjs NGINX_PORT CADDY_PORT USERNAME PASSWORD
//
// Run by tests/forward_auth/run.sh, which starts the proxies. Prints "ok   browser: ..."
// lines, or "FAIL browser: ..." and exits 1.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(resolve(here, "../console/package.json"));
const { chromium } = require("playwright-core");

const [nginxPort, caddyPort, username, password] = process.argv.slice(2);
const app = `http://app.example.test:${nginxPort}/hello?from=browser`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // Every *.example.test name is this machine.
  args: ["--host-resolver-rules=MAP *.example.test 127.0.0.1"],
});
const step = async (name, action) => {
  try {
    await action();
    console.log(`ok   browser: ${name}`);
  } catch (error) {
    console.log(`FAIL browser: ${name}: ${error.message}`);
    await browser.close();
    process.exit(1);
  }
};
try {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const seen = async () => JSON.parse(await page.locator("body").innerText()).seen;

  await step("a browser opening a protected app lands on Roster's sign-in", async () => {
    await page.goto(app);
    await page.getByRole("heading", { name: "Sign in to Roster" }).waitFor();
    assert.equal(new URL(page.url()).host, `roster.example.test:${nginxPort}`);
    assert.ok(page.url().includes("rd="), page.url());
  });
  await step("signing in sends it back to the app, which sees the user", async () => {
    await page.getByLabel("Username", { exact: true }).fill(username);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(app);
    assert.equal((await seen())["Remote-User"], username);
  });
  await step("an app behind Caddy on the same domain lets the browser straight in", async () => {
    await page.goto(`http://app.example.test:${caddyPort}/other`);
    assert.equal((await seen())["Remote-User"], username);
  });
  await step("a return address on another site is not followed", async () => {
    const other = await context.newPage();
    await other.goto(`http://roster.example.test:${nginxPort}/?rd=https://evil.test/`);
    await other.getByRole("heading", { name: "My profile" }).waitFor();
    assert.equal(new URL(other.url()).host, `roster.example.test:${nginxPort}`);
  });
} finally {
  await browser.close();
}
