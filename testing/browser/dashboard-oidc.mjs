// Signing in to the dashboard through the OpenID Connect provider from the gateway's sign-in page (issue 23): the
// page's "Sign in with …" button starts the code flow, the provider's login and consent forms are filled in as a
// person would, and the browser lands where it was going, signed in as the provider's user.
// Usage: BASE_URL=… PROVIDER_URL=… DISPLAY_NAME=… OIDC_LOGIN=bob USER_NAME="Bob Reader" node dashboard-oidc.mjs
import { fail, required, run, step, watchProblems } from './lib.mjs';
import { expectSignInPage, navigating, open, sessionCookie, where } from './signin.mjs';

const [base, provider, displayName, login, userName] = required('BASE_URL', 'PROVIDER_URL', 'DISPLAY_NAME', 'OIDC_LOGIN', 'USER_NAME');
const invoices = '/dashboard/invoices';

await run('dashboard-oidc', async (browser) => {
  const page = await browser.newPage();
  const problems = [];
  watchProblems(page, problems);

  step('signed out, open the invoices page: the sign-in page offers the provider');
  await open(page, base + invoices);
  await expectSignInPage(page, base, invoices);
  const button = await page.$eval('a#oidc', (e) => ({ text: e.textContent.trim(), href: e.getAttribute('href') })).catch(() => null);
  if (button?.text !== `Sign in with ${displayName}`) fail(`#oidc: ${JSON.stringify(button)}`);
  const href = new URL(button.href, base);
  if (href.origin !== base || href.pathname !== '/auth/login/oidc' || href.searchParams.get('returnUrl') !== invoices) fail(`#oidc goes to ${button.href}`);

  step('press it: the provider\'s login form');
  await navigating(page, () => page.click('#oidc'));
  if (new URL(page.url()).origin !== provider) fail(`not at the provider: ${page.url()}`);

  step('the provider\'s forms: login, then consent, until the gateway takes the browser back');
  for (let form = 0; new URL(page.url()).origin === provider; form++) {
    if (form > 4) fail(`still at the provider after ${form} forms: ${page.url()}`);
    if (await page.$('input[name="login"]')) {
      await page.type('input[name="login"]', login);
      await page.type('input[name="password"]', 'any');
    }
    const response = await navigating(page, () => page.click('button[type="submit"]'));
    if (!response.ok()) fail(`${page.url()} answered ${response.status()}`);
  }

  step('back where it was going, signed in as the provider\'s user');
  if (new URL(page.url()).origin !== base || where(page) !== invoices) fail(`landed on ${page.url()}`);
  const user = await page.$eval('#user', (e) => e.textContent);
  if (!user.split(' | ')[0].includes(userName)) fail(`#user says ${JSON.stringify(user)}, not ${userName}`);
  if (!(await sessionCookie(page))?.httpOnly) fail('no HttpOnly session cookie');

  if (problems.length > 0) fail(problems.join('\n'));
});
