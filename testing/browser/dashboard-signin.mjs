// The dashboard behind the gateway's lock, as a person meets it (issue 23): signed out, /dashboard/invoices leads to
// the sign-in page; signing in with the keyboard alone leads back, and the page shows who the gateway says signed in;
// its CSV link downloads every invoice; signed out, the same link leads to the sign-in page, never to JSON, and signing
// in there goes on to the download.
// Usage: BASE_URL=http://127.0.0.1:1234 IDENTIFIER=… PASSWORD=… USER_NAME=… INVOICE_TOTAL=230 node dashboard-signin.mjs
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, fail, required, run, step, watchProblems } from './lib.mjs';
import { expectSignInPage, open, where, signInWithKeyboard } from './signin.mjs';

const [base, identifier, password, userName, total] = required('BASE_URL', 'IDENTIFIER', 'PASSWORD', 'USER_NAME', 'INVOICE_TOTAL');
const invoices = '/dashboard/invoices';
const csv = '/api/v2/invoices/en-us/csv';

/**
 * Runs `action` in browser `context` (the default one when none) with downloads allowed into a temporary folder; waits
 * for the one download it starts and answers the downloaded CSV's lines.
 */
async function downloadedCsv(browser, context, action) {
  const folder = mkdtempSync(join(tmpdir(), 'dashboard-downloads-'));
  const cdp = await browser.target().createCDPSession();
  try {
    const done = new Promise((resolve) => cdp.on('Browser.downloadProgress', (e) => { if (e.state !== 'inProgress') resolve(e.state); }));
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: folder, eventsEnabled: true, ...(context ? { browserContextId: context.id } : {}) });
    await action();
    const state = await Promise.race([done, new Promise((resolve) => setTimeout(() => resolve('not finished in 60 s'), 60_000))]);
    if (state !== 'completed') fail(`download ${state}`);
    const files = readdirSync(folder);
    if (files.length !== 1 || !files[0].endsWith('.csv')) fail(`downloaded ${files}`);
    const lines = readFileSync(join(folder, files[0]), 'utf8').split('\r\n').filter((line) => line !== '');
    if (!lines[0].startsWith('id,documentId,')) fail(`CSV header ${lines[0]}`);
    return lines;
  } finally {
    await cdp.detach();
    rmSync(folder, { recursive: true, force: true });
  }
}

await run('dashboard-signin', async (browser) => {
  const page = await browser.newPage();
  const problems = [];
  watchProblems(page, problems);

  step('signed out, open the invoices page: the sign-in page, carrying where it was going');
  let response = await open(page, base + invoices);
  const chain = response.request().redirectChain();
  if (chain.length !== 1 || chain[0].response().status() !== 302) fail(`not one 302 to the sign-in page: ${chain.map((r) => `${r.url()} ${r.response()?.status()}`)}`);
  if (response.status() !== 200) fail(`the sign-in page answered ${response.status()}`);
  if (!(response.headers()['content-security-policy'] ?? '').includes("default-src 'none'")) fail(`sign-in page CSP: ${response.headers()['content-security-policy']}`);
  await expectSignInPage(page, base, invoices);
  await eventually('the identifier field has the focus', async () => (await page.evaluate(() => document.activeElement?.id)) === 'identifier' || await page.evaluate(() => document.activeElement?.outerHTML));

  step('sign in with the keyboard: type, Tab, type, Enter');
  response = await signInWithKeyboard(page, identifier, password);
  const signIn = response.request().redirectChain()[0];
  if (signIn?.method() !== 'POST' || signIn.response().status() !== 303) fail(`the form post answered ${signIn?.response()?.status()}`);
  if (response.status() !== 200 || where(page) !== invoices) fail(`after sign-in on ${page.url()} (${response.status()})`);

  step('the page shows who signed in, from the gateway\'s headers, and the invoices from Strapi');
  const user = await page.$eval('#user', (e) => e.textContent);
  if (!user.split(' | ')[0].includes(userName)) fail(`#user says ${JSON.stringify(user)}, not ${userName}`);
  if (await page.$$eval('#invoices tbody tr', (rows) => rows.length) === 0) fail('no invoice rows');
  if (await page.$eval('#total', (e) => e.textContent) !== total) fail(`the page counts ${await page.$eval('#total', (e) => e.textContent)} invoices, not ${total}`);

  step('click the CSV link: a download of every invoice');
  const rows = (await downloadedCsv(browser, null, () => page.click('#csv'))).length - 1;
  if (rows !== Number(total)) fail(`CSV has ${rows} rows, Strapi ${total}`);
  if (where(page) !== invoices) fail(`the download navigated away to ${page.url()}`);

  step('signed out (another browser profile), the same link: the sign-in page, not JSON');
  const other = await browser.createBrowserContext();
  const stranger = await other.newPage();
  watchProblems(stranger, problems);
  response = await open(stranger, base + csv);
  if (response.status() !== 200 || !(response.headers()['content-type'] ?? '').startsWith('text/html')) fail(`signed-out CSV link answered ${response.status()} ${response.headers()['content-type']}`);
  await expectSignInPage(stranger, base, csv);

  step('signing in there goes on to the download');
  const after = await downloadedCsv(browser, other, async () => {
    await stranger.type('#identifier', identifier);
    await stranger.type('#password', password);
    await stranger.keyboard.press('Enter');
  });
  if (after.length - 1 !== Number(total)) fail(`CSV after sign-in has ${after.length - 1} rows, Strapi ${total}`);

  await other.close();

  if (problems.length > 0) fail(problems.join('\n'));
});
