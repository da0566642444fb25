// Drives /admin/redirects in Debian's headless chromium: signed out it offers the sign-in page; sign in with the key
// (the header says so), add an entry and see it served, edit it, read its hit count, delete it (asked first: cancelled
// once, then confirmed), import a CSV (and see a bad line named), replace the whole table (asked first too), search and sort.
// Usage: BASE_URL=http://127.0.0.1:1234 ADMIN_KEY=… node admin-redirects.mjs   (exit 0 and "OK" when all steps pass)
import { confirmations, eventually, fail, required, run, step, watchProblems } from './lib.mjs';

const [base, key] = required('BASE_URL', 'ADMIN_KEY');

async function served(path) {
  const response = await fetch(base + path, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

await run('admin-redirects', async (browser) => {
  const page = await browser.newPage();
  const problems = [];
  // 401 before the key is given and 400 for a refused import are statuses the page handles itself.
  watchProblems(page, problems);
  // Each confirmation the page asks is answered with the next of `answers` (true: OK, false: Cancel) and recorded.
  const { answers, answered } = confirmations(page, problems);

  step('open the page');
  const response = await page.goto(`${base}/admin/redirects`, { waitUntil: 'domcontentloaded' });
  if (response.status() !== 200) fail(`page answered ${response.status()}`);
  const policy = response.headers()['content-security-policy'] || '';
  if (!policy.includes("script-src 'self'") || !policy.includes("default-src 'none'")) fail(`weak CSP: ${policy}`);

  const status = () => page.$eval('#status', (e) => e.textContent);
  const rowKeys = () => page.$$eval('#rows tr', (rows) => rows.map((r) => r.dataset.key));
  const rowCell = (rowKey, selector) => page.$eval(`#rows tr[data-key="${rowKey}"] ${selector}`, (e) => e.textContent).catch(() => null);

  const who = () => page.$eval('#who', (e) => e.textContent);
  const shown = (selector) => page.$eval(selector, (e) => !e.hidden && getComputedStyle(e).display !== 'none');

  step('signed out, no key: the sign-in link is offered, no sign-out');
  await eventually('who shown', async () => (await who()) === 'Not signed in' || await who());
  if (!await shown('#signin-link')) fail('no sign-in link');
  const signIn = await page.$eval('#signin-link', (e) => e.getAttribute('href'));
  if (signIn !== '/auth/login?returnUrl=/admin/redirects') fail(`sign-in link: ${signIn}`);
  if (await shown('#signout-form')) fail('sign-out offered to nobody');

  step('sign in with the key (keyboard only)');
  await page.focus('#admin-key');
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await eventually('table loaded', async () => (await status()).includes('entries loaded') || await status());
  if (await page.evaluate(() => localStorage.length) !== 0) fail('the key went to localStorage');
  await eventually('who says the key', async () => (await who()) === 'Using an admin key' || await who());
  if (await shown('#signin-link') || await shown('#signout-form')) fail('sign-in or sign-out offered while the key is in use');

  step('add an entry');
  await page.type('#source', '/browser-old');
  await page.type('#destination', '/browser-new');
  await page.select('#status-code', '301');
  await page.click('#save');
  await eventually('row added', async () => (await rowKeys()).includes('/browser-old') || await status());
  await eventually('served as 301', async () => { const r = await served('/browser-old'); return (r.status === 301 && r.location === '/browser-new') || r; });

  step('edit it');
  await page.click('#rows tr[data-key="/browser-old"] button[aria-label="Edit /browser-old"]');
  await page.$eval('#destination', (e) => { e.value = ''; });
  await page.type('#destination', '/browser-newer');
  await page.select('#status-code', '302');
  await page.click('#save');
  await eventually('row edited', async () => (await rowCell('/browser-old', 'td:nth-child(2)')) === '/browser-newer' || await status());
  await eventually('served as 302', async () => { const r = await served('/browser-old'); return (r.status === 302 && r.location === '/browser-newer') || r; });

  step('read hit counts');
  for (let i = 0; i < 2; i++) await served('/browser-old');
  await eventually('hits shown', async () => {
    await page.click('#refresh');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const hits = await rowCell('/browser-old', 'td.hits');
    const last = await rowCell('/browser-old', 'td.last-hit');
    return (Number(hits) >= 4 && last !== 'never') || { hits, last };
  });

  step('sort by hits, search');
  await page.click('button[data-sort="hits"]');
  if ((await rowKeys())[0] !== '/browser-old') fail(`sorted by hits: ${await rowKeys()}`);
  await page.type('#search', 'browser');
  if (JSON.stringify(await rowKeys()) !== '["/browser-old"]') fail(`search: ${await rowKeys()}`);
  await page.$eval('#search', (e) => { e.value = ''; e.dispatchEvent(new Event('input')); });

  step('delete asks first: cancelled, the entry stays');
  const deleteButton = '#rows tr[data-key="/browser-old"] button[aria-label="Delete /browser-old"]';
  answers.push(false);
  await page.click(deleteButton);
  await answered(1, '/browser-old');
  await pause(300);
  if (!(await rowKeys()).includes('/browser-old')) fail('a cancelled delete removed the row');
  if ((await served('/browser-old')).status !== 302) fail('a cancelled delete removed the entry');

  step('delete it, confirmed');
  answers.push(true);
  await page.click(deleteButton);
  await answered(2, '/browser-old');
  await eventually('row gone', async () => !(await rowKeys()).includes('/browser-old') || await status());
  await eventually('no longer served', async () => { const r = await served('/browser-old'); return r.status === 200 || r; });

  step('import a CSV with a bad line: nothing imported, the line named');
  await page.type('#import-text', 'source,target,status\n/csv-a,/csv-b,308\n/csv-bad,/x,299\n');
  await page.select('#import-format', 'csv');
  await page.click('#import');
  await eventually('line named', async () => (await page.$$eval('#import-errors li', (l) => l.map((e) => e.textContent))).some((t) => t.startsWith('line 3: /csv-bad')) || await status());
  if ((await served('/csv-a')).status !== 200) fail('a refused import wrote something');

  step('import a good CSV');
  await page.$eval('#import-text', (e) => { e.value = ''; });
  await page.type('#import-text', 'source,target,status\n/csv-a,/csv-b,308\n');
  await page.click('#import');
  await eventually('imported', async () => (await status()).startsWith('Imported 1') || await status());
  if (!(await rowKeys()).includes('/csv-a')) fail('imported row not listed');
  await eventually('served as 308', async () => { const r = await served('/csv-a'); return (r.status === 308 && r.location === '/csv-b') || r; });

  step('replace the whole table asks first: cancelled, nothing changes');
  const before = await rowKeys();
  await page.$eval('#import-text', (e) => { e.value = ''; });
  await page.type('#import-text', 'source,target,status\n/csv-c,/csv-d,301\n');
  await page.click('#import-replace');
  answers.push(false);
  await page.click('#import');
  await answered(3, `${before.length} entries`);
  await pause(300);
  if (JSON.stringify(await rowKeys()) !== JSON.stringify(before)) fail(`a cancelled replace changed the table: ${await rowKeys()}`);
  if ((await served('/csv-c')).status !== 200) fail('a cancelled replace imported');

  step('replace it, confirmed');
  answers.push(true);
  await page.click('#import');
  await answered(4, `${before.length} entries`);
  await eventually('replaced', async () => (await status()) === `Imported 1 entries, deleted ${before.length}` || await status());
  if (JSON.stringify(await rowKeys()) !== '["/csv-c"]') fail(`after the replace: ${await rowKeys()}`);
  await eventually('old entries no longer served', async () => { const r = await served('/csv-a'); return r.status === 200 || r; });

  if (problems.length > 0) fail(problems.join('\n'));
});
