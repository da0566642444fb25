// The redirect admin page signed into as a person (issue 23, item 5): signed out, /admin/redirects offers its sign-in
// link; signing in there with the keyboard as an admin leads back, the header names the admin, the table is listed with
// the session alone (no admin key); an entry added is served, deleted after the confirmation (dismissed once: kept);
// the page's sign-out button ends the session (303 to the sign-in page) and the page is signed out again. A reader
// signing in the same way is named, and the page shows the admin API's refusal (403) instead of the table.
// Usage: BASE_URL=http://127.0.0.1:1234 ADMIN_IDENTIFIER=… ADMIN_PASSWORD=… READER_IDENTIFIER=… READER_PASSWORD=… node admin-signin.mjs
import { confirmations, eventually, fail, required, run, step, watchProblems } from './lib.mjs';
import { expectSignInPage, navigating, open, sessionCookie, signInWithKeyboard, where } from './signin.mjs';

const [base, adminIdentifier, adminPassword, readerIdentifier, readerPassword] =
  required('BASE_URL', 'ADMIN_IDENTIFIER', 'ADMIN_PASSWORD', 'READER_IDENTIFIER', 'READER_PASSWORD');
const adminPage = '/admin/redirects';
const source = '/signin-old';
const destination = '/signin-new';

/** How the gateway answers `path` to a client with no cookie (node's fetch, redirects not followed). */
async function served(path) {
  const response = await fetch(base + path, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The page's view: who it says is signed in, its status line, the table's keys, what it offers. */
function view(page) {
  const shown = (selector) => page.$eval(selector, (e) => !e.hidden && getComputedStyle(e).display !== 'none');
  return {
    who: () => page.$eval('#who', (e) => e.textContent),
    status: () => page.$eval('#status', (e) => e.textContent),
    rowKeys: () => page.$$eval('#rows tr', (rows) => rows.map((r) => r.dataset.key)),
    shown,
  };
}

/**
 * Every call the page makes to the admin API (/api/redirects…): method, path, status, and whether it carried an admin
 * key. A call that carried one fails the script: the page must work with the session alone.
 */
function watchAdminApi(page, problems) {
  const calls = [];
  page.on('response', (response) => {
    const request = response.request();
    const url = new URL(request.url());
    if (url.origin !== new URL(base).origin || !url.pathname.startsWith('/api/redirects')) return;
    const key = Object.keys(request.headers()).some((name) => name.toLowerCase() === 'x-admin-key');
    if (key) problems.push(`${request.method()} ${url.pathname} carried an admin key`);
    calls.push({ method: request.method(), path: url.pathname, status: response.status() });
  });
  return calls;
}

/** Signed out on the admin page: it says so, offers its sign-in link (to the sign-in page, back here) and no sign-out. */
async function expectSignedOut(page) {
  const { who, status, rowKeys, shown } = view(page);
  await eventually('who says nobody', async () => (await who()) === 'Not signed in' || await who());
  if (!await shown('#signin-link')) fail('no sign-in link while signed out');
  const href = await page.$eval('#signin-link', (e) => e.getAttribute('href'));
  if (href !== `/auth/login?returnUrl=${adminPage}`) fail(`sign-in link: ${href}`);
  if (await shown('#signout-form')) fail('sign-out offered while signed out');
  await eventually('the table refused', async () => (await status()) === 'Sign in, or enter the admin key, to see the table' || await status());
  if ((await rowKeys()).length !== 0) fail(`rows listed while signed out: ${await rowKeys()}`);
}

/** From the signed-out admin page: its sign-in link, the sign-in page, the keyboard; back on the admin page. */
async function signInFromTheLink(page, identifier, password) {
  await expectSignedOut(page);
  await navigating(page, () => page.click('#signin-link'));
  await expectSignInPage(page, base, adminPage);
  const response = await signInWithKeyboard(page, identifier, password);
  const post = response.request().redirectChain()[0];
  if (post?.method() !== 'POST' || post.response().status() !== 303) fail(`the sign-in form answered ${post?.response()?.status()}`);
  if (response.status() !== 200 || where(page) !== adminPage) fail(`after sign-in on ${page.url()} (${response.status()})`);
}

await run('admin-signin', async (browser) => {
  const page = await browser.newPage();
  const problems = [];
  watchProblems(page, problems);
  const calls = watchAdminApi(page, problems);
  const { answers, answered } = confirmations(page, problems);
  const { who, status, rowKeys, shown } = view(page);

  step('signed out, open the admin page: the sign-in link, no table');
  const first = await open(page, base + adminPage);
  if (first.status() !== 200) fail(`the admin page answered ${first.status()}`);
  await expectSignedOut(page);

  step('follow the sign-in link, sign in as the admin with the keyboard: back on the admin page');
  await signInFromTheLink(page, adminIdentifier, adminPassword);

  step('the header names the admin, offers sign-out; the table is listed with the session alone');
  await eventually('who names the admin', async () => {
    const text = await who();
    return (text.startsWith('Signed in as ') && text.includes(adminIdentifier) && /\badmin\b/.test(text.slice(text.indexOf('(')))) || text;
  });
  if (!await shown('#signout-form') || await shown('#signin-link')) fail('signed in, but sign-out not offered or sign-in still offered');
  await eventually('table loaded', async () => /^\d+ entries loaded/.test(await status()) || await status());
  if (await page.evaluate(() => sessionStorage.length + localStorage.length) !== 0) fail('something (a key?) was stored by the page');
  if (!calls.some((c) => c.method === 'GET' && c.path === '/api/redirects' && c.status === 200)) fail(`the list was not answered 200: ${JSON.stringify(calls)}`);

  step('add an entry: listed, and served');
  await page.type('#source', source);
  await page.type('#destination', destination);
  await page.select('#status-code', '308');
  await page.click('#save');
  await eventually('row added', async () => (await rowKeys()).includes(source) || await status());
  if (!calls.some((c) => c.method === 'PUT' && c.status >= 200 && c.status < 300)) fail(`the PUT was not accepted: ${JSON.stringify(calls)}`);
  await eventually('served as 308', async () => { const r = await served(source); return (r.status === 308 && r.location === destination) || r; });

  step('delete asks first: dismissed, the entry stays');
  const deleteButton = `#rows tr[data-key="${source}"] button[aria-label="Delete ${source}"]`;
  answers.push(false);
  await page.click(deleteButton);
  await answered(1, source);
  await pause(300);
  if (!(await rowKeys()).includes(source)) fail('a dismissed delete removed the row');
  if (calls.some((c) => c.method === 'DELETE')) fail('a dismissed delete called the API');
  const kept = await served(source);
  if (kept.status !== 308 || kept.location !== destination) fail(`a dismissed delete changed what is served: ${JSON.stringify(kept)}`);

  step('delete it, accepted: gone from the table and no longer served');
  answers.push(true);
  await page.click(deleteButton);
  await answered(2, source);
  await eventually('row gone', async () => !(await rowKeys()).includes(source) || await status());
  await eventually('deleted', async () => (await status()) === `Deleted ${source}` || await status());
  await eventually('no longer served', async () => { const r = await served(source); return r.location !== destination || r; });

  step('sign out with the page\'s button: a form POST, 303 to the sign-in page');
  if (!await sessionCookie(page)) fail('no session cookie while signed in');
  const out = await navigating(page, () => page.click('#signout'));
  const chain = out.request().redirectChain();
  const post = chain[0];
  if (post?.method() !== 'POST' || new URL(post.url()).pathname !== '/auth/logout' || post.response()?.status() !== 303) {
    fail(`sign-out: ${chain.map((r) => `${r.method()} ${r.url()} ${r.response()?.status()}`).join(' → ') || 'no redirect'}, final ${out.status()} ${page.url()}`);
  }
  const url = new URL(page.url());
  if (url.origin !== new URL(base).origin || url.pathname !== '/auth/login' || out.status() !== 200) fail(`after sign-out on ${page.url()} (${out.status()})`);

  step('back on the admin page: signed out again; the browser\'s cookies no longer open the admin API');
  await open(page, base + adminPage);
  await expectSignedOut(page);
  const direct = await page.evaluate(async () => (await fetch('/api/redirects', { credentials: 'same-origin' })).status);
  if (direct !== 401) fail(`the admin API answered this browser ${direct} after sign-out`);

  step('a reader signs in from the link (another browser profile): named, and the table refused with 403');
  const other = await browser.createBrowserContext();
  const reader = await other.newPage();
  watchProblems(reader, problems);
  const readerCalls = watchAdminApi(reader, problems);
  const readerView = view(reader);
  await open(reader, base + adminPage);
  await signInFromTheLink(reader, readerIdentifier, readerPassword);
  await eventually('who names the reader', async () => {
    const text = await readerView.who();
    return (text.startsWith('Signed in as ') && text.includes(readerIdentifier) && /\breader\b/.test(text.slice(text.indexOf('(')))) || text;
  });
  await eventually('the refusal shown', async () => (await readerView.status()).startsWith('Could not load the table: 403') || await readerView.status());
  if (!readerCalls.some((c) => c.method === 'GET' && c.path === '/api/redirects' && c.status === 403)) fail(`the admin API did not refuse the reader: ${JSON.stringify(readerCalls)}`);
  if ((await readerView.rowKeys()).length !== 0) fail(`rows listed to a reader: ${await readerView.rowKeys()}`);
  await other.close();

  if (problems.length > 0) fail(problems.join('\n'));
});
