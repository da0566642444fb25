'use strict';

const { ensureGatewayToken } = require('./bootstrap/api-token');
const { seedIfEmpty } = require('./bootstrap/seed');
const { ensureGatewayWebhook } = require('./bootstrap/webhooks');
const { subscribeUserChanges } = require('./bootstrap/user-changes');

module.exports = {
  register() {},

  async bootstrap({ strapi }) {
    await ensureGatewayToken(strapi);
    await seedIfEmpty(strapi);
    await require('./bootstrap/users').ensureDemoUsers(strapi);
    await ensureGatewayWebhook(strapi);

    // After the demo users are set, so their set-up at each start is not reported.
    subscribeUserChanges(strapi);
  },
};
