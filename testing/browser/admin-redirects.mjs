// Drives /admin/redirects in Debian's headless chromium: sign in with the key, add an entry and see it served, edit
// it, read its hit count, delete it, import a CSV (and see a bad line named), search and sort.
// Usage: BASE_URL=http://127.0.0.1:1234 ADMIN_KEY=… node admin-redirects.mjs   (exit 0 and "OK" when all steps pass)
import { eventually, fail, required, run, step, watchProblems } from './lib.mjs';

const [base, key] = required('BASE_URL', 'ADMIN_KEY');

async function served(path) {
  const response = await fetch(base + path, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
}

await run('admin-redirects', async (browser) => {
  const page = await browser.newPage();
  const problems = [];
  // 401 before the key is given and 400 for a refused import are statuses the page handles itself.
  watchProblems(page, problems);

  step('open the page');
  const response = await page.goto(`${base}/admin/redirects`, { waitUntil: 'domcontentloaded' });
  if (response.status() !== 200) fail(`page answered ${response.status()}`);
  const policy = response.headers()['content-security-policy'] || '';
  if (!policy.includes("script-src 'self'") || !policy.includes("default-src 'none'")) fail(`weak CSP: ${policy}`);

  const status = () => page.$eval('#status', (e) => e.textContent);
  const rowKeys = () => page.$$eval('#rows tr', (rows) => rows.map((r) => r.dataset.key));
  const rowCell = (rowKey, selector) => page.$eval(`#rows tr[data-key="${rowKey}"] ${selector}`, (e) => e.textContent).catch(() => null);

  step('sign in with the key (keyboard only)');
  await page.focus('#admin-key');
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  await eventually('table loaded', async () => (await status()).includes('entries loaded') || await status());
  if (await page.evaluate(() => localStorage.length) !== 0) fail('the key went to localStorage');

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

  step('delete it');
  await page.click('#rows tr[data-key="/browser-old"] button[aria-label="Delete /browser-old"]');
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

  if (problems.length > 0) fail(problems.join('\n'));
});
