'use strict';

const path = require('path');

// DEV-ONLY defaults for PostgreSQL credentials below; set DATABASE_URL or
// DATABASE_USERNAME/DATABASE_PASSWORD in any shared or production environment.
module.exports = ({ env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');

  if (client === 'postgres') {
    const url = env('DATABASE_URL');
    // No query runs for minutes: PostgreSQL cancels a statement after DATABASE_STATEMENT_TIMEOUT ms (node-postgres
    // sends it as the session's statement_timeout), and a transaction left idle is ended after
    // DATABASE_IDLE_IN_TRANSACTION_TIMEOUT ms, so it cannot hold locks. 0 turns either off.
    const limits = {
      statement_timeout: env.int('DATABASE_STATEMENT_TIMEOUT', 15000),
      idle_in_transaction_session_timeout: env.int('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT', 60000),
    };
    return {
      connection: {
        client: 'postgres',
        connection: url
          ? { connectionString: url, ssl: env.bool('DATABASE_SSL', false) && { rejectUnauthorized: false }, ...limits }
          : {
              host: env('DATABASE_HOST', '127.0.0.1'),
              port: env.int('DATABASE_PORT', 5432),
              database: env('DATABASE_NAME', 'strapi'),
              user: env('DATABASE_USERNAME', 'strapi'),
              password: env('DATABASE_PASSWORD', 'strapi'),
              ssl: env.bool('DATABASE_SSL', false) && { rejectUnauthorized: false },
              schema: env('DATABASE_SCHEMA', 'public'),
              ...limits,
            },
        pool: { min: env.int('DATABASE_POOL_MIN', 2), max: env.int('DATABASE_POOL_MAX', 10) },
        acquireConnectionTimeout: env.int('DATABASE_CONNECTION_TIMEOUT', 60000),
      },
    };
  }

  if (client !== 'sqlite') {
    throw new Error(`DATABASE_CLIENT must be "sqlite" or "postgres", got "${client}"`);
  }

  // Relative DATABASE_FILENAME values are resolved against the project directory.
  const filename = path.resolve(__dirname, '..', env('DATABASE_FILENAME', '.tmp/data.db'));
  return {
    connection: {
      client: 'sqlite',
      connection: { filename },
      useNullAsDefault: true,
      acquireConnectionTimeout: env.int('DATABASE_CONNECTION_TIMEOUT', 60000),
    },
  };
};
