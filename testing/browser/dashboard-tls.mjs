// The dashboard over https:// behind a TLS-terminating proxy (nginx) that the gateway trusts (issue 23): sign in, edit
// an invoice from the frontend's own page (its script PUTs through the gateway with fetch), sign out; every page stays
// on https://, and the session cookie is Secure. Chromium accepts the test's self-signed certificate.
// Usage: BASE_URL=https://127.0.0.1:1234 IDENTIFIER=… PASSWORD=… (an editor) DOCUMENT_ID=… AMOUNT=… node dashboard-tls.mjs
import { eventually, fail, required, run, step, watchProblems } from './lib.mjs';
import { expectSignInPage, open, sessionCookie, signInWithKeyboard, signOut, where } from './signin.mjs';

const [base, identifier, password, documentId, amount] = required('BASE_URL', 'IDENTIFIER', 'PASSWORD', 'DOCUMENT_ID', 'AMOUNT');
const invoices = '/dashboard/invoices';
if (!base.startsWith('https://')) fail(`BASE_URL ${base} is not https`);

await run('dashboard-tls', async (browser) => {
  const page = await browser.newPage();
  const problems = [];
  watchProblems(page, problems);
  const insecure = [];
  page.on('request', (request) => { if (!request.url().startsWith('https://')) insecure.push(request.url()); });

  step('signed out, the invoices page over https: the sign-in page, on https');
  await open(page, base + invoices);
  await expectSignInPage(page, base, invoices);

  step('sign in: back on the invoices page with a Secure, HttpOnly session cookie');
  const response = await signInWithKeyboard(page, identifier, password);
  if (response.status() !== 200 || where(page) !== invoices || !page.url().startsWith(base)) fail(`after sign-in on ${page.url()} (${response.status()})`);
  const cookie = await sessionCookie(page);
  if (!cookie?.secure || !cookie.httpOnly) fail(`session cookie ${JSON.stringify(cookie)}`);

  step('edit an invoice from the page: its script PUTs through the gateway, 200');
  await page.type('#edit-document', documentId);
  await page.type('#edit-amount', amount);
  await page.click('#edit-submit');
  await eventually('the edit answered', async () => (await page.$eval('#edit-status', (e) => e.textContent)) === '200' || await page.$eval('#edit-status', (e) => e.textContent));

  step('sign out: the sign-in page on https, the cookie gone, the dashboard locked again');
  await signOut(page, base);
  if (await sessionCookie(page)) fail('the session cookie outlived the sign-out');
  await open(page, base + invoices);
  await expectSignInPage(page, base, invoices);

  if (insecure.length > 0) fail(`requests off https: ${insecure.join(', ')}`);
  if (problems.length > 0) fail(problems.join('\n'));
}, ['--ignore-certificate-errors']);
