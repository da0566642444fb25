// What the gateway refuses a person, in words a person reads (issue 23): a wrong password shows a message (401) and
// the form again, still returning where it was going; the sixth try on one identifier shows the lock-out (429, when to
// try again) even with the right password; a reader opening an admin-only page gets the 403 page; signing out from
// the browser lands on the sign-in page, and the dashboard is locked again.
// Usage: BASE_URL=… IDENTIFIER=… PASSWORD=… (a reader) LOCKED_IDENTIFIER=… LOCKED_PASSWORD=… node dashboard-refusals.mjs
import { fail, required, run, step, watchProblems } from './lib.mjs';
import { expectSignInPage, message, open, sessionCookie, signInWithKeyboard, signOut, where } from './signin.mjs';

const [base, identifier, password, lockedIdentifier, lockedPassword] =
  required('BASE_URL', 'IDENTIFIER', 'PASSWORD', 'LOCKED_IDENTIFIER', 'LOCKED_PASSWORD');
const invoices = '/dashboard/invoices';
const settings = '/dashboard/settings';

await run('dashboard-refusals', async (browser) => {
  const page = await browser.newPage();
  const problems = [];
  // The 401, 403 and 429 pages are answers the person reads: chromium logs them as "Failed to load resource".
  watchProblems(page, problems);

  step('a wrong password: the message, status 401, the form again with the same returnUrl');
  await open(page, base + invoices);
  await expectSignInPage(page, base, invoices);
  let response = await signInWithKeyboard(page, identifier, `${password}-wrong`);
  if (response.status() !== 401) fail(`wrong password answered ${response.status()}`);
  const wrong = await message(page);
  if (!wrong?.toLowerCase().includes('wrong')) fail(`message after a wrong password: ${JSON.stringify(wrong)}`);
  await expectSignInPage(page, base, invoices);
  if (await sessionCookie(page)) fail('a session cookie after a wrong password');

  step('then the right one: back on the invoices page');
  response = await signInWithKeyboard(page, identifier, password);
  if (response.status() !== 200 || where(page) !== invoices) fail(`after sign-in on ${page.url()} (${response.status()})`);

  step('a reader opens the admin-only settings page: the 403 page, naming the role needed');
  response = await open(page, base + settings);
  if (response.status() !== 403) fail(`settings answered ${response.status()}`);
  if (!(response.headers()['content-type'] ?? '').startsWith('text/html')) fail(`403 as ${response.headers()['content-type']}`);
  const forbidden = await page.$eval('main#forbidden', (e) => e.textContent).catch(() => null);
  if (!forbidden?.includes('admin')) fail(`403 page: ${JSON.stringify(forbidden)}`);
  if (await page.$('#settings')) fail('the settings page itself was shown');

  step('sign out from the browser: the sign-in page, and the dashboard locked again');
  await signOut(page, base);
  if (await sessionCookie(page)) fail('the session cookie outlived the sign-out');
  await open(page, base + invoices);
  await expectSignInPage(page, base, invoices);

  step('five wrong passwords for one identifier: 401 each');
  for (let attempt = 1; attempt <= 5; attempt++) {
    response = await signInWithKeyboard(page, lockedIdentifier, `wrong-${attempt}`);
    if (response.status() !== 401) fail(`wrong password ${attempt} answered ${response.status()}: ${await message(page)}`);
  }

  step('the sixth try, with the right password: the lock-out, 429 with Retry-After');
  response = await signInWithKeyboard(page, lockedIdentifier, lockedPassword);
  if (response.status() !== 429) fail(`sixth try answered ${response.status()}: ${await message(page)}`);
  if (!/^\d+$/.test(response.headers()['retry-after'] ?? '')) fail(`Retry-After: ${response.headers()['retry-after']}`);
  const locked = await message(page);
  if (!locked?.includes('Try again')) fail(`lock-out message: ${JSON.stringify(locked)}`);
  if (await sessionCookie(page)) fail('a session cookie while locked out');
  await expectSignInPage(page, base, invoices);

  if (problems.length > 0) fail(problems.join('\n'));
});
