// The sessions page: plain JS over the sessions admin API (/api/sessions, policy admin), with the session cookie.
'use strict';

const api = '/api/sessions';
const $ = (id) => document.getElementById(id);
let shown = '';

function say(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

async function call(path, method = 'GET') {
  const response = await fetch(path, { method, credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new Error(`${response.status} ${problem.title || response.statusText}${problem.detail ? ': ' + problem.detail : ''}`);
  }
  return response;
}

const when = (text) => new Date(text).toLocaleString();

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.appendChild(td);
}

async function show(user) {
  shown = user;
  const sessions = await (await call(`${api}?user=${encodeURIComponent(user)}`)).json();
  const rows = $('rows');
  rows.replaceChildren();
  for (const session of sessions) {
    const row = document.createElement('tr');
    cell(row, when(session.created));
    cell(row, when(session.lastSeen));
    cell(row, session.client || '');
    cell(row, session.method);
    const td = document.createElement('td');
    const end = document.createElement('button');
    end.type = 'button';
    end.textContent = 'End';
    end.addEventListener('click', () => endOne(session.id));
    td.appendChild(end);
    row.appendChild(td);
    rows.appendChild(row);
  }
  $('caption').textContent = `${sessions.length} session(s) of ${user}`;
  $('sessions').hidden = false;
  $('end-all').hidden = sessions.length === 0;
  say(sessions.length === 0 ? `${user} has no session.` : '');
}

async function endOne(id) {
  if (!confirm('End this session? Its browser is signed out at once.')) return;
  try {
    await call(`${api}/${encodeURIComponent(id)}`, 'DELETE');
    await show(shown);
    say('Session ended.');
  } catch (error) {
    say(error.message, true);
  }
}

async function endAll() {
  if (!confirm(`End every session of ${shown}?`)) return;
  try {
    const { ended } = await (await call(`${api}?user=${encodeURIComponent(shown)}`, 'DELETE')).json();
    await show(shown);
    say(`${ended} session(s) ended.`);
  } catch (error) {
    say(error.message, true);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('find').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await show($('user').value.trim());
    } catch (error) {
      say(error.message, true);
    }
  });
  $('end-all').addEventListener('click', endAll);
});
