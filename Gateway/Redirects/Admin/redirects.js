// The redirect admin page: plain JS over the admin API (/api/redirects). Calls go with the session cookie
// (credentials: same-origin) and, when one was entered, the admin key, kept in sessionStorage only. The header says who
// is signed in (GET /auth/me, asked without the key), offers the sign-in page when nobody is and no key is in use, and
// signs out with a plain form POST to /auth/logout.
'use strict';

const api = '/api/redirects';
const me = '/auth/me';
const keyStore = 'gateway.redirects.adminKey';
const $ = (id) => document.getElementById(id);
let entries = [];
let sort = { by: 'key', descending: false };

function say(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

async function call(path, init = {}) {
  const headers = new Headers(init.headers || {});
  const key = sessionStorage.getItem(keyStore);
  if (key) {
    headers.set('X-Admin-Key', key);
  }
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    const error = new Error(`${response.status} ${problem.title || response.statusText}${problem.detail ? ': ' + problem.detail : ''}`);
    error.problem = problem;
    error.status = response.status;
    throw error;
  }
  return response;
}

// Who the page acts for: a signed-in user (the session cookie), the admin key, or nobody yet.
async function showWho() {
  const usingKey = Boolean(sessionStorage.getItem(keyStore));
  let user = null;
  try {
    const response = await fetch(me, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.ok) user = await response.json();
  } catch { /* the gateway did not answer: shown as not signed in */ }
  const signedIn = user ? `Signed in as ${user.name || user.email} (${[user.email, ...(user.roles || [])].filter(Boolean).join(', ')})` : '';
  $('who').textContent = usingKey
    ? `Using an admin key${signedIn ? `; also ${signedIn.charAt(0).toLowerCase()}${signedIn.slice(1)}` : ''}`
    : signedIn || 'Not signed in';
  $('signin-link').hidden = Boolean(user) || usingKey;
  $('signout-form').hidden = !user;
}

async function load() {
  try {
    const response = await call(`${api}?limit=1000000`);
    const table = await response.json();
    entries = Object.entries(table).map(([key, entry]) => ({
      key,
      ...entry,
      status: entry.status || (entry.permanent ? 308 : 307),
      match: entry.match || 'exact',
    }));
    render();
    say(`${entries.length} entries loaded${response.headers.get('X-Hits-Unknown') ? ' (hit counts unavailable)' : ''}`);
  } catch (error) {
    entries = [];
    render();
    say(error.status === 401 && !sessionStorage.getItem(keyStore)
      ? 'Sign in, or enter the admin key, to see the table'
      : `Could not load the table: ${error.message}`, true);
  }
}

function compare(a, b) {
  const x = a[sort.by] ?? '';
  const y = b[sort.by] ?? '';
  const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  return sort.descending ? -order : order;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  row.append(td);
  return td;
}

function button(text, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function render() {
  const search = $('search').value.trim().toLowerCase();
  const shown = entries
    .filter((e) => !search || e.key.toLowerCase().includes(search) || e.destination.toLowerCase().includes(search))
    .sort(compare);
  const rows = $('rows');
  rows.replaceChildren();
  for (const entry of shown) {
    const row = document.createElement('tr');
    row.dataset.key = entry.key;
    cell(row, entry.key);
    cell(row, entry.destination);
    cell(row, String(entry.status));
    cell(row, entry.match + (entry.caseSensitive === false ? ', any case' : '') + (entry.expiresAt ? `, expires ${entry.expiresAt}` : ''));
    cell(row, String(entry.hits ?? 0), 'num hits');
    cell(row, entry.lastHit ? new Date(entry.lastHit).toISOString() : 'never', 'last-hit');
    const actions = cell(row, '');
    actions.append(button('Edit', `Edit ${entry.key}`, () => edit(entry)), ' ', button('Delete', `Delete ${entry.key}`, () => remove(entry.key)));
    rows.append(row);
  }
  $('count').textContent = `${shown.length} of ${entries.length}`;
  for (const th of document.querySelectorAll('th')) {
    const by = th.querySelector('button')?.dataset.sort;
    if (by === sort.by) {
      th.setAttribute('aria-sort', sort.descending ? 'descending' : 'ascending');
    } else {
      th.removeAttribute('aria-sort');
    }
  }
}

function edit(entry) {
  $('source').value = entry.key;
  $('destination').value = entry.destination;
  $('status-code').value = String(entry.status);
  $('match').value = entry.match;
  $('keep-path').checked = entry.keepPath !== false;
  $('case-sensitive').checked = entry.caseSensitive !== false;
  $('preserve-query').checked = entry.preserveQuery !== false;
  $('expires-at').value = entry.expiresAt || '';
  $('destination').focus();
}

async function save(event) {
  event.preventDefault();
  const key = $('source').value.trim();
  const status = Number($('status-code').value);
  const entry = { destination: $('destination').value.trim(), permanent: status === 301 || status === 308, status };
  if ($('match').value === 'prefix') {
    entry.match = 'prefix';
    if (!$('keep-path').checked) entry.keepPath = false;
  }
  if (!$('case-sensitive').checked) entry.caseSensitive = false;
  if (!$('preserve-query').checked) entry.preserveQuery = false;
  if ($('expires-at').value.trim()) entry.expiresAt = $('expires-at').value.trim();
  try {
    await call(`${api}/${encodeURIComponent(key)}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(entry),
    });
    say(`Saved ${key}`);
    await load();
    say(`Saved ${key}`);
  } catch (error) {
    say(`Not saved: ${error.message}`, true);
  }
}

async function remove(key) {
  if (!window.confirm(`Delete the redirect ${key}? Its hit counts are deleted with it.`)) return;
  try {
    await call(`${api}/${encodeURIComponent(key)}`, { method: 'DELETE' });
    await load();
    say(`Deleted ${key}`);
  } catch (error) {
    say(`Not deleted: ${error.message}`, true);
  }
}

async function download(format) {
  try {
    const response = await call(`${api}/export${format === 'csv' ? '?format=csv' : ''}`);
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `redirects.${format}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(`Exported redirects.${format}`);
  } catch (error) {
    say(`Not exported: ${error.message}`, true);
  }
}

async function importTable(event) {
  event.preventDefault();
  const errors = $('import-errors');
  errors.replaceChildren();
  const file = $('import-file').files[0];
  const text = file ? await file.text() : $('import-text').value;
  const format = file ? (file.name.toLowerCase().endsWith('.json') ? 'json' : 'csv') : $('import-format').value;
  const replace = $('import-replace').checked;
  if (replace && !window.confirm(`Replace the whole table (${entries.length} entries now) with this import? `
    + 'Every entry not in it is deleted, with its hit counts.')) return;
  try {
    const response = await call(`${api}/import${replace ? '?mode=replace' : ''}`, {
      method: 'POST',
      headers: { 'Content-Type': format === 'json' ? 'application/json' : 'text/csv' },
      body: text,
    });
    const result = await response.json();
    await load();
    say(`Imported ${result.written} entries${result.deleted ? `, deleted ${result.deleted}` : ''}`);
  } catch (error) {
    for (const line of error.problem?.errors || []) {
      const li = document.createElement('li');
      li.textContent = line;
      errors.append(li);
    }
    say(`Nothing imported: ${error.message}`, true);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(keyStore, $('admin-key').value);
    $('admin-key').value = '';
    showWho();
    load();
  });
  $('forget-key').addEventListener('click', () => {
    sessionStorage.removeItem(keyStore);
    entries = [];
    render();
    showWho();
    say('Key forgotten');
  });
  $('entry-form').addEventListener('submit', save);
  $('import-form').addEventListener('submit', importTable);
  $('search').addEventListener('input', render);
  $('refresh').addEventListener('click', load);
  $('export-json').addEventListener('click', () => download('json'));
  $('export-csv').addEventListener('click', () => download('csv'));
  for (const b of document.querySelectorAll('th button')) {
    b.addEventListener('click', () => {
      sort = { by: b.dataset.sort, descending: sort.by === b.dataset.sort ? !sort.descending : b.dataset.sort === 'hits' };
      render();
    });
  }
  showWho();
  load();
});
