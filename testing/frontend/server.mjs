// A stand-in for the Next.js dashboard, for the gateway's browser tests: pages rendered on the server from Strapi
// (with the dashboard's own token, as the real dashboard's server does), a same-origin script that edits an invoice
// through the gateway, and a record of every request it received. Never for production. Plain Node, no dependencies.
//
// Environment:
//   STRAPI_URL    Strapi's base URL (required)
//   STRAPI_TOKEN  Strapi's API token (required)
//   PORT          port [3000]
//   HOST          address to listen on [127.0.0.1] (0.0.0.0 only inside a container: scripts/container-check)
//
// Pages: /dashboard/invoices, /dashboard/customers, /dashboard/settings, / and /dashboard; assets /_next/static/app.js
// and /favicon.ico; anything else is a 404 page. Each shows who the gateway said is signed in (X-Forwarded-User,
// -Email, -Roles) in <p id="user">. GET /__requests answers every request received so far (method, target, headers) as
// JSON, itself not recorded: a test asks it directly, never through the gateway.
import { createServer } from 'node:http';

const strapiUrl = process.env.STRAPI_URL;
const strapiToken = process.env.STRAPI_TOKEN;
const port = Number.parseInt(process.env.PORT ?? '3000', 10);
const host = process.env.HOST ?? '127.0.0.1';
if (!strapiUrl || !strapiToken) {
  console.error('STRAPI_URL and STRAPI_TOKEN are required');
  process.exit(2);
}

const received = [];

const escape = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function strapi(path) {
  const response = await fetch(new URL(path, strapiUrl), { headers: { Authorization: `Bearer ${strapiToken}` } });
  if (!response.ok) throw new Error(`Strapi answered ${response.status} for ${path}`);
  return response.json();
}

function layout(request, title, body) {
  const who = ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-roles'].map((h) => escape(request.headers[h] ?? '')).join(' | ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title><script src="/_next/static/app.js" defer></script></head>
<body><h1>${escape(title)}</h1><p id="user">${who}</p>
<nav><a href="/dashboard/invoices">Invoices</a> <a href="/dashboard/customers">Customers</a> <a href="/dashboard/settings">Settings</a></nav>
${body}</body></html>`;
}

async function invoices() {
  const list = await strapi('/api/invoices?populate=customer&sort=id:asc');
  const rows = list.data.map((invoice) => `<tr data-document-id="${escape(invoice.documentId)}"><td class="amount">${escape(invoice.amount)}</td><td class="email">${escape(invoice.customer?.email)}</td></tr>`);
  return `<p id="total">${escape(list.meta.pagination.total)}</p>
<p><a id="csv" href="/api/v2/invoices/en-us/csv">Download as CSV</a></p>
<table id="invoices"><thead><tr><th>Amount</th><th>Customer</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<form id="edit"><label>Invoice <input id="edit-document" name="documentId"></label>
<label>Amount <input id="edit-amount" name="amount" type="number"></label><button id="edit-submit" type="submit">Save</button></form>
<p id="edit-status"></p>`;
}

async function customers() {
  const list = await strapi('/api/customers?sort=id:asc');
  const rows = list.data.map((customer) => `<tr><td class="name">${escape(customer.name)}</td><td class="email">${escape(customer.email)}</td></tr>`);
  return `<table id="customers"><tbody>${rows.join('')}</tbody></table>`;
}

// What a client-side bundle does: a same-origin fetch through the gateway, with the session cookie the browser holds.
const script = `document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('edit');
  if (!form) return;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('edit-status');
    const id = encodeURIComponent(document.getElementById('edit-document').value);
    const response = await fetch('/api/v2/invoices/en-us/' + id, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: Number(document.getElementById('edit-amount').value) }),
    });
    status.textContent = String(response.status);
  });
});
`;

const pages = {
  '/': ['Dashboard', async () => '<p>Welcome</p>'],
  '/dashboard': ['Dashboard', async () => '<p>Welcome</p>'],
  '/dashboard/invoices': ['Invoices', invoices],
  '/dashboard/customers': ['Customers', customers],
  '/dashboard/settings': ['Settings', async () => '<p id="settings">Only for admins.</p>'],
};

async function answer(request, response) {
  const path = new URL(request.url, 'http://frontend').pathname;
  if (request.method === 'GET' && path === '/__requests') {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(received));
    return;
  }

  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, [value].flat().join(', ')]));
  received.push({ method: request.method, target: request.url, headers });
  console.log(`request ${request.method} ${request.url}`);
  if (path === '/_next/static/app.js') {
    response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
    response.end(script);
    return;
  }

  if (path === '/favicon.ico') {
    response.writeHead(200, { 'Content-Type': 'image/x-icon' });
    response.end(Buffer.alloc(0));
    return;
  }

  const page = pages[path];
  if (!page) {
    response.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(layout(request, 'Not found', ''));
    return;
  }

  try {
    const body = await page[1]();
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(layout(request, page[0], body));
  } catch (error) {
    console.error(`frontend: ${error.message}`);
    response.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('Strapi failed');
  }
}

createServer((request, response) => {
  answer(request, response).catch((error) => {
    console.error(`frontend: ${error.message}`);
    response.destroy();
  });
}).listen(port, host, () => console.log(`frontend stand-in listening on http://${host}:${port}`));
