'use strict';

const { ensureGatewayToken } = require('./bootstrap/api-token');
const { seedIfEmpty } = require('./bootstrap/seed');
const { ensureGatewayWebhook } = require('./bootstrap/webhooks');

module.exports = {
  register() {},

  async bootstrap({ strapi }) {
    await ensureGatewayToken(strapi);
    await seedIfEmpty(strapi);
    await require('./bootstrap/users').ensureDemoUsers(strapi);
    await ensureGatewayWebhook(strapi);
  },
};
