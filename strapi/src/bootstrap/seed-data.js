'use strict';

// Placeholder data of the Next.js "dashboard" tutorial (nextjs.org/learn/dashboard-app),
// app/lib/placeholder-data.ts. Amounts are in cents.

const customers = [
  { name: 'Evil Rabbit', email: 'evil@rabbit.com', image_url: '/customers/evil-rabbit.png' },
  { name: 'Delba de Oliveira', email: 'delba@oliveira.com', image_url: '/customers/delba-de-oliveira.png' },
  { name: 'Lee Robinson', email: 'lee@robinson.com', image_url: '/customers/lee-robinson.png' },
  { name: 'Michael Novotny', email: 'michael@novotny.com', image_url: '/customers/michael-novotny.png' },
  { name: 'Amy Burns', email: 'amy@burns.com', image_url: '/customers/amy-burns.png' },
  { name: 'Balazs Orban', email: 'balazs@orban.com', image_url: '/customers/balazs-orban.png' },
];

// `customer` is an index into `customers`.
const invoices = [
  { customer: 0, amount: 15795, invoice_status: 'pending', date: '2022-12-06' },
  { customer: 1, amount: 20348, invoice_status: 'pending', date: '2022-11-14' },
  { customer: 4, amount: 3040, invoice_status: 'paid', date: '2022-10-29' },
  { customer: 3, amount: 44800, invoice_status: 'paid', date: '2023-09-10' },
  { customer: 5, amount: 34577, invoice_status: 'pending', date: '2023-08-05' },
  { customer: 2, amount: 54246, invoice_status: 'pending', date: '2023-07-16' },
  { customer: 0, amount: 666, invoice_status: 'pending', date: '2023-06-27' },
  { customer: 3, amount: 32545, invoice_status: 'paid', date: '2023-06-09' },
  { customer: 4, amount: 1250, invoice_status: 'paid', date: '2023-06-17' },
  { customer: 5, amount: 8546, invoice_status: 'paid', date: '2023-06-07' },
  { customer: 1, amount: 500, invoice_status: 'paid', date: '2023-08-19' },
  { customer: 5, amount: 8945, invoice_status: 'paid', date: '2023-06-03' },
  { customer: 2, amount: 1000, invoice_status: 'paid', date: '2022-06-05' },
];

const revenues = [
  { month: 'Jan', revenue: 2000 },
  { month: 'Feb', revenue: 1800 },
  { month: 'Mar', revenue: 2200 },
  { month: 'Apr', revenue: 2500 },
  { month: 'May', revenue: 2300 },
  { month: 'Jun', revenue: 3200 },
  { month: 'Jul', revenue: 3500 },
  { month: 'Aug', revenue: 3700 },
  { month: 'Sep', revenue: 2500 },
  { month: 'Oct', revenue: 2800 },
  { month: 'Nov', revenue: 3000 },
  { month: 'Dec', revenue: 4800 },
];

// mulberry32: tiny seeded PRNG, so generated invoices are identical on every run.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const START = Date.UTC(2022, 0, 1); // dates spread over 2022-01-01 .. 2023-12-31
const SPAN_DAYS = 730;

/**
 * Invoice i (0-based) of a seed of `total` invoices. The first 13 are the tutorial's;
 * the rest are generated deterministically: amounts 100..100000 cents, both statuses,
 * dates over two years, customers round-robin.
 */
function* invoiceRows(total, seed = 20240601) {
  const rand = mulberry32(seed);
  for (let i = 0; i < total; i += 1) {
    if (i < invoices.length) {
      yield invoices[i];
      continue;
    }
    const amount = 100 + Math.floor(rand() * 99901);
    const invoice_status = rand() < 0.5 ? 'paid' : 'pending';
    const date = new Date(START + Math.floor(rand() * SPAN_DAYS) * DAY_MS).toISOString().slice(0, 10);
    yield { customer: i % customers.length, amount, invoice_status, date };
  }
}

module.exports = { customers, invoices, revenues, invoiceRows, mulberry32 };
