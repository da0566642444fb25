'use strict';

const TOKEN_NAME = 'gateway';
const TOKEN_UID = 'admin::api-token';

/**
 * Make `Authorization: Bearer $STRAPI_API_TOKEN` a full-access content-API token.
 *
 * Strapi only stores an HMAC (admin::api-token service `hash()`, salted with
 * API_TOKEN_SALT) of a token's access key, so we create a token named "gateway"
 * and overwrite its stored hash (and encrypted copy) with those of the value from
 * the environment. Runs on every start; it only writes when something differs.
 */
async function ensureGatewayToken(strapi) {
  const accessKey = process.env.STRAPI_API_TOKEN;
  if (!accessKey) {
    strapi.log.warn(
      '[gateway] STRAPI_API_TOKEN is not set: no API token created or updated (requests without a valid token get 403)'
    );
    return;
  }

  const tokenService = strapi.service('admin::api-token');
  const hash = tokenService.hash(accessKey);

  let token = await strapi.db.query(TOKEN_UID).findOne({ where: { name: TOKEN_NAME } });
  let action = 'kept';
  if (!token) {
    const created = await tokenService.create({
      name: TOKEN_NAME,
      description: 'Full-access token for the YARP gateway (value from STRAPI_API_TOKEN)',
      type: 'full-access',
      lifespan: null,
    });
    token = await strapi.db.query(TOKEN_UID).findOne({ where: { id: created.id } });
    action = 'created';
  }

  const data = {};
  if (token.accessKey !== hash) {
    data.accessKey = hash;
    let encryption = null;
    try {
      encryption = strapi.service('admin::encryption');
    } catch {
      encryption = null;
    }
    if (encryption && typeof encryption.encrypt === 'function') {
      data.encryptedKey = encryption.encrypt(accessKey);
    }
  }
  if (token.type !== 'full-access') data.type = 'full-access';
  if (token.expiresAt != null) Object.assign(data, { expiresAt: null, lifespan: null });
  if (token.kind != null && token.kind !== 'content-api') data.kind = 'content-api';

  if (Object.keys(data).length > 0) {
    await strapi.db.query(TOKEN_UID).update({ where: { id: token.id }, data });
    if (action === 'kept') action = 'updated';
  }

  strapi.log.info(`[gateway] full-access API token "${TOKEN_NAME}" ${action} (value from STRAPI_API_TOKEN)`);
}

module.exports = { ensureGatewayToken, TOKEN_NAME };
