'use strict';

// DEV-ONLY default: the embedded JWT secret below is public (it is in git).
// Set JWT_SECRET in any shared or production environment. (Strapi refuses to start in
// production without a users-permissions jwtSecret; it is only generated in development.)
module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'dev-only-users-permissions-jwt-secret'),
    },
  },
});
