// The gateway's sign-in and sign-out pages as a person uses them: what the scripts for the dashboard behind the lock
// share (issue 23). Every helper fails with what it saw when the page is not what the contract says.
import { fail } from './lib.mjs';

/** Path and query of the page's URL. */
export function where(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** Opens `url` as a navigation (typed in the address bar, a link followed): the final answer after redirects. */
export async function open(page, url) {
  return page.goto(url, { waitUntil: 'domcontentloaded' });
}

/** Runs `action` (a click, a key) and waits for the navigation it starts: the final answer after redirects. */
export async function navigating(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), action()]);
  return response;
}

/** The page is the gateway's sign-in page at `base`, with its form carrying `returnUrl`. */
export async function expectSignInPage(page, base, returnUrl) {
  const url = new URL(page.url());
  if (url.origin !== new URL(base).origin || url.pathname !== '/auth/login') fail(`not the sign-in page: ${page.url()}`);
  const form = await page.$('form#signin[method="post"][action="/auth/login"]');
  if (!form) fail(`no sign-in form on ${page.url()}: ${await page.content()}`);
  const hidden = await page.$eval('#signin input[name="returnUrl"]', (e) => e.value).catch(() => null);
  if (hidden !== returnUrl) fail(`the form returns to ${JSON.stringify(hidden)}, not ${returnUrl}`);
}

/**
 * Signs in on the sign-in page with the keyboard: in the identifier field (focused as a click would, unless it has the
 * focus already), Tab to the password, Enter to submit. Returns the final answer of the navigation the form started.
 */
export async function signInWithKeyboard(page, identifier, password) {
  await page.$eval('#identifier', (e) => { e.value = ''; });
  await page.$eval('#password', (e) => { e.value = ''; });
  if (await page.evaluate(() => document.activeElement?.id) !== 'identifier') await page.focus('#identifier');
  await page.keyboard.type(identifier);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== 'password') fail(`Tab from the identifier went to #${focused}, not the password`);
  await page.keyboard.type(password);
  return navigating(page, () => page.keyboard.press('Enter'));
}

/** The text of the sign-in page's message (role="alert"), or null when there is none. */
export async function message(page) {
  return page.$eval('#message[role="alert"]', (e) => e.textContent).catch(() => null);
}

/** Signs out the way a person does: opens /auth/logout and presses its button. Lands on the sign-in page. */
export async function signOut(page, base) {
  const response = await open(page, `${base}/auth/logout`);
  if (response.status() !== 200) fail(`the sign-out page answered ${response.status()}`);
  if (!(await page.$('form#signout[method="post"][action="/auth/logout"] button#signout-submit'))) fail(`no sign-out form: ${await page.content()}`);
  const after = await navigating(page, () => page.click('#signout-submit'));
  const url = new URL(page.url());
  if (url.origin !== new URL(base).origin || url.pathname !== '/auth/login') fail(`after sign-out on ${page.url()} (${after.status()})`);
}

/** The gateway's session cookie in the page's browser context, or undefined. */
export async function sessionCookie(page) {
  return (await page.cookies()).find((cookie) => cookie.name.startsWith('gateway.session'));
}
