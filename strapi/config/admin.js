'use strict';

// DEV-ONLY defaults: every embedded secret below is public (it is in git).
// Set ADMIN_JWT_SECRET, API_TOKEN_SALT, TRANSFER_TOKEN_SALT and ENCRYPTION_KEY
// in any shared or production environment.
module.exports = ({ env }) => ({
  // The REST API does not need the admin panel; /admin answers a plain 404.
  serveAdminPanel: env.bool('SERVE_ADMIN_PANEL', false),
  auth: {
    secret: env('ADMIN_JWT_SECRET', 'dev-only-admin-jwt-secret'),
  },
  apiToken: {
    salt: env('API_TOKEN_SALT', 'dev-only-api-token-salt'),
  },
  transfer: {
    token: {
      salt: env('TRANSFER_TOKEN_SALT', 'dev-only-transfer-token-salt'),
    },
  },
  secrets: {
    encryptionKey: env('ENCRYPTION_KEY', 'dev-only-encryption-key'),
  },
  flags: {
    nps: false,
    promoteEE: false,
  },
});
