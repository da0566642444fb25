'use strict';

// DEV-ONLY default: the embedded JWT secret below is public (it is in git).
// Set JWT_SECRET in any shared or production environment. (Strapi refuses to start in
// production without a users-permissions jwtSecret; it is only generated in development.)
module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'dev-only-users-permissions-jwt-secret'),
      // Sign-ins come through the gateway, which limits them per client and per identifier. Strapi would see them
      // all from the gateway's one address and lock every user out after 10 a minute, so its own limiter is off
      // unless USERS_PERMISSIONS_RATELIMIT=true (e.g. when Strapi is reachable without the gateway).
      ratelimit: { enabled: env.bool('USERS_PERMISSIONS_RATELIMIT', false) },
    },
  },
});
