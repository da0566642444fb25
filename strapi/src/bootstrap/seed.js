'use strict';

const data = require('./seed-data');

const INVOICE = 'api::invoice.invoice';
const CUSTOMER = 'api::customer.customer';
const REVENUE = 'api::revenue.revenue';

const BULK_CHUNK = 500; // rows per INSERT (SQLite's compound-select limit is 500)

function seedCount() {
  const raw = process.env.SEED_INVOICES;
  if (raw === undefined || raw === '') return data.invoices.length;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`SEED_INVOICES must be a non-negative integer, got "${raw}"`);
  }
  return n;
}

/**
 * Seed the Next.js dashboard tutorial data when the database holds no invoice.
 * Customers, revenues and the tutorial's 13 invoices go through the document service;
 * extra generated invoices (SEED_INVOICES > 13) go through a bulk path.
 */
async function seedIfEmpty(strapi) {
  const existing = await strapi.db.query(INVOICE).count();
  if (existing > 0) {
    strapi.log.info(`[seed] ${existing} invoices already present: not seeding`);
    return;
  }

  const total = seedCount();
  const started = process.hrtime.bigint();

  // Customers: reuse existing ones with the same email (e.g. after all invoices were deleted).
  const customerIds = []; // index in data.customers -> { id, documentId }
  for (const c of data.customers) {
    let doc = await strapi.documents(CUSTOMER).findFirst({ filters: { email: c.email } });
    if (!doc) doc = await strapi.documents(CUSTOMER).create({ data: c });
    customerIds.push({ id: doc.id, documentId: doc.documentId });
  }

  let revenues = 0;
  for (const r of data.revenues) {
    const found = await strapi.documents(REVENUE).findFirst({ filters: { month: r.month } });
    if (!found) {
      await strapi.documents(REVENUE).create({ data: r });
      revenues += 1;
    }
  }

  const rows = data.invoiceRows(total);
  const viaDocuments = Math.min(total, data.invoices.length);
  for (let i = 0; i < viaDocuments; i += 1) {
    const { customer, ...fields } = rows.next().value;
    await strapi.documents(INVOICE).create({
      data: { ...fields, customer: customerIds[customer].documentId },
    });
  }

  let viaBulk = 0;
  if (total > viaDocuments) {
    viaBulk = await bulkInsertInvoices(strapi, rows, total - viaDocuments, customerIds);
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  strapi.log.info(
    `[seed] seeded ${viaDocuments + viaBulk} invoices (${viaBulk} in bulk), ${customerIds.length} customers, ` +
      `${revenues} revenues in ${seconds.toFixed(2)} s`
  );
}

/**
 * Insert `count` invoices from the `rows` iterator, linked to customers, in one transaction.
 *
 * Writes exactly what the document service writes for a create of a content type without
 * draft & publish and without i18n: one row in `invoices` (documentId from Strapi's own
 * generator, createdAt = updatedAt = publishedAt = now) plus one row in the relation's join
 * table (invoice id, customer id, and the invoice's position in the customer's ordered
 * `invoices` list). Table and column names are read from Strapi's metadata, not hard-coded.
 */
async function bulkInsertInvoices(strapi, rows, count, customerIds) {
  const meta = strapi.db.metadata.get(INVOICE);
  const jt = meta.attributes.customer.joinTable;
  if (!jt || !jt.name || !jt.joinColumn || !jt.inverseJoinColumn) {
    throw new Error('[seed] unexpected metadata for invoice.customer: no join table');
  }
  const joinCol = jt.joinColumn.name; // invoice_id
  const inverseCol = jt.inverseJoinColumn.name; // customer_id
  const orderCol = jt.orderColumnName; // invoice_ord on the owning side (manyToOne: none expected)
  const inverseOrderCol = jt.inverseOrderColumnName; // position in customer.invoices
  const idColumn = meta.attributes.id && meta.attributes.id.columnName ? meta.attributes.id.columnName : 'id';
  const documentIdColumn = meta.attributes.documentId.columnName || 'document_id';

  const newDocumentId = documentIdFactory(meta);

  let inserted = 0;
  await strapi.db.transaction(async ({ trx }) => {
    // Next position of an invoice in each customer's `invoices` list.
    const nextOrder = new Map();
    if (inverseOrderCol) {
      const maxRows = await trx(jt.name)
        .select(inverseCol)
        .max({ m: inverseOrderCol })
        .whereIn(
          inverseCol,
          customerIds.map((c) => c.id)
        )
        .groupBy(inverseCol);
      for (const r of maxRows) nextOrder.set(Number(r[inverseCol]), Number(r.m || 0) + 1);
    }

    while (inserted < count) {
      const size = Math.min(BULK_CHUNK, count - inserted);
      const now = new Date();
      const chunk = [];
      const customersOf = new Map(); // documentId -> customer id
      for (let k = 0; k < size; k += 1) {
        const { customer, ...fields } = rows.next().value;
        const documentId = newDocumentId();
        customersOf.set(documentId, customerIds[customer].id);
        chunk.push({ ...fields, documentId, createdAt: now, updatedAt: now, publishedAt: now });
      }

      // strapi.db.query().createMany maps attributes to columns and formats values exactly as a
      // normal create does; it joins the surrounding transaction.
      await strapi.db.query(INVOICE).createMany({ data: chunk });

      const created = await trx(meta.tableName)
        .select(idColumn, documentIdColumn)
        .whereIn(documentIdColumn, [...customersOf.keys()]);
      if (created.length !== size) {
        throw new Error(`[seed] bulk insert: expected ${size} rows, found ${created.length}`);
      }
      created.sort((a, b) => a[idColumn] - b[idColumn]);

      const links = created.map((row) => {
        const customerId = customersOf.get(row[documentIdColumn]);
        const link = { [joinCol]: row[idColumn], [inverseCol]: customerId };
        if (orderCol) link[orderCol] = 1; // single-valued side: always first
        if (inverseOrderCol) {
          const ord = nextOrder.get(customerId) || 1;
          link[inverseOrderCol] = ord;
          nextOrder.set(customerId, ord + 1);
        }
        return link;
      });
      await trx.batchInsert(jt.name, links, BULK_CHUNK);

      inserted += size;
      if (inserted % 20000 === 0 && inserted < count) {
        strapi.log.info(`[seed] bulk: ${inserted}/${count} invoices`);
      }
    }
  });
  return inserted;
}

// The documentId generator Strapi itself uses (cuid2), taken from the model's default.
function documentIdFactory(meta) {
  const def = meta.attributes.documentId && meta.attributes.documentId.default;
  if (typeof def === 'function') return def;
  // Fallback: the same library, resolved through @strapi/core.
  const corePath = require.resolve('@strapi/core');
  // eslint-disable-next-line import/no-dynamic-require, global-require
  return require(require.resolve('@paralleldrive/cuid2', { paths: [corePath] })).createId;
}

module.exports = { seedIfEmpty };
