'use strict';

const { ensureGatewayToken } = require('./bootstrap/api-token');
const { seedIfEmpty } = require('./bootstrap/seed');

module.exports = {
  register() {},

  async bootstrap({ strapi }) {
    await ensureGatewayToken(strapi);
    await seedIfEmpty(strapi);
    await require('./bootstrap/users').ensureDemoUsers(strapi);
  },
};
