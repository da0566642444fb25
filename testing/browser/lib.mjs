// What every browser script here shares: Debian's headless chromium with a throw-away profile, steps printed as they
// go, polling until a condition holds, and the script's verdict ("OK" and exit 0 only when every step passed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

/** The environment variables a script needs; exits 2 naming the missing ones. */
export function required(...names) {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`${missing.join(', ')} required`);
    process.exit(2);
  }
  return names.map((name) => process.env[name]);
}

export function step(text) { console.log(`step: ${text}`); }

export function fail(text) { throw new Error(text); }

/** Polls `check` until it returns true; fails with what it last returned after `seconds`. */
export async function eventually(what, check, seconds = 10) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`${what}: ${JSON.stringify(last)}`);
}

/**
 * Collects a page's script errors and console errors. Statuses a page handles itself are logged by chromium as
 * "Failed to load resource"; those are not problems, anything else at error level is.
 */
export function watchProblems(page, problems) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
}

/**
 * Answers the page's dialogs: each with the next of `answers` (true: OK, false: Cancel; push before the click that asks),
 * recorded; a dialog nobody expected is a problem. `answered(count, text)` waits for the count-th dialog and fails
 * unless it was a confirm naming `text`.
 */
export function confirmations(page, problems) {
  const answers = [];
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push({ type: dialog.type(), message: dialog.message() });
    const accept = answers.shift();
    if (accept === undefined) problems.push(`unexpected dialog: ${dialog.message()}`);
    await (accept ? dialog.accept() : dialog.dismiss());
  });
  async function answered(count, text) {
    await eventually(`dialog ${count} asked`, async () => dialogs.length === count || dialogs);
    const dialog = dialogs[count - 1];
    if (dialog.type !== 'confirm' || !dialog.message.includes(text)) fail(`dialog ${count}: ${JSON.stringify(dialog)}, expected a confirm naming ${text}`);
  }
  return { answers, answered };
}

/**
 * Launches chromium, runs `steps(browser)`, prints OK when it returns, or FAILED and sets exit code 1 when it throws;
 * closes the browser and removes its profile either way. `extraArgs`: more command-line flags.
 */
export async function run(name, steps, extraArgs = []) {
  const profile = mkdtempSync(join(tmpdir(), `${name}-`));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...extraArgs],
  });
  try {
    await steps(browser);
    console.log('OK');
  } catch (error) {
    console.error(`FAILED: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
