'use strict';

// DEV-ONLY default: the embedded APP_KEYS value below is public (it is in git).
// Always set APP_KEYS in any shared or production environment.
const DEV_APP_KEYS = 'dev-only-app-key-1,dev-only-app-key-2,dev-only-app-key-3,dev-only-app-key-4';

module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: {
    keys: env.array('APP_KEYS', DEV_APP_KEYS.split(',')),
  },
  logger: {
    updates: { enabled: false },
  },
});
