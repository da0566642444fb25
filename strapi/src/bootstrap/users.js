'use strict';

const ROLE_UID = 'plugin::users-permissions.role';
const USER_UID = 'plugin::users-permissions.user';

/**
 * The gateway's roles (users-permissions role `type`). They need no Strapi permission: the gateway signs users in
 * through /api/auth/local and reads a user's role with its own API token (/api/users/:id?populate=role).
 */
const ROLES = [
  { type: 'reader', name: 'Reader', description: 'Gateway: reads invoices, customers and revenues' },
  { type: 'editor', name: 'Editor', description: 'Gateway: reads and writes' },
  { type: 'admin', name: 'Admin', description: 'Gateway: reads, writes and edits the redirect table' },
];

/** Demo users: created (or their password and role set again) only when their password is in the environment. */
const USERS = [
  { username: 'reader', email: 'reader@demo.local', role: 'reader', passwordVariable: 'DEMO_READER_PASSWORD' },
  { username: 'editor', email: 'editor@demo.local', role: 'editor', passwordVariable: 'DEMO_EDITOR_PASSWORD' },
  { username: 'admin', email: 'admin@demo.local', role: 'admin', passwordVariable: 'DEMO_ADMIN_PASSWORD' },
];

async function ensureRole(strapi, { type, name, description }) {
  const role = await strapi.db.query(ROLE_UID).findOne({ where: { type } });
  return role ?? strapi.db.query(ROLE_UID).create({ data: { type, name, description } });
}

/**
 * The roles reader, editor and admin, and the demo users whose passwords the environment gives. Idempotent: runs at
 * every start, creating what is missing and setting an existing demo user's password and role to the given ones.
 */
async function ensureDemoUsers(strapi) {
  const roles = {};
  for (const role of ROLES) {
    roles[role.type] = await ensureRole(strapi, role);
  }

  const users = strapi.plugin('users-permissions').service('user');
  const done = [];
  for (const { username, email, role, passwordVariable } of USERS) {
    const password = process.env[passwordVariable];
    if (!password) continue;

    const values = { username, email, password, provider: 'local', confirmed: true, blocked: false, role: roles[role].id };
    const existing = await strapi.db.query(USER_UID).findOne({ where: { email } });
    if (existing) {
      await users.edit(existing.id, values);
    } else {
      await users.add(values);
    }
    done.push(email);
  }

  strapi.log.info(`[gateway] roles ${ROLES.map((r) => r.type).join(', ')}; demo users: ${done.join(', ') || 'none'}`);
}

module.exports = { ensureDemoUsers };
