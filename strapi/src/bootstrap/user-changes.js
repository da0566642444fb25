'use strict';

const USER_UID = 'plugin::users-permissions.user';
const SECRET_HEADER = 'X-Strapi-Webhook-Secret';
const TIMEOUT_MS = 2000;

/**
 * Strapi sends no webhooks for its users, so this lifecycle hook tells the gateway when a users-permissions user's
 * role, blocked flag, password or email changes, or the user is deleted: POST {GATEWAY_WEBHOOK_URL}/users (the
 * gateway's /webhooks/strapi/users) with the cache webhooks' secret in X-Strapi-Webhook-Secret and
 * {"event":"user.update"|"user.delete","id","email","blocked","changed":["role","blocked","password","email"]}.
 * The gateway then drops the user's cached role and sessions on every replica (and ends the sessions on a block, a
 * delete or a new password). Without GATEWAY_WEBHOOK_URL/SECRET nothing is sent; the gateway's periodic re-check
 * (Access:Session:RecheckInterval) is the safety net for a message lost here. Bulk updateMany/deleteMany are not
 * reported (users-permissions does not use them).
 */
function subscribeUserChanges(strapi) {
  const base = process.env.GATEWAY_WEBHOOK_URL;
  const secret = process.env.GATEWAY_WEBHOOK_SECRET;
  if (!base || !secret) {
    strapi.log.info('[gateway] GATEWAY_WEBHOOK_URL/SECRET unset: user changes are not reported to the gateway');
    return;
  }

  const url = `${base.replace(/\/+$/, '')}/users`;
  const users = () => strapi.db.query(USER_UID);

  async function tell(change) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SECRET_HEADER]: secret },
        body: JSON.stringify(change),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) strapi.log.warn(`[gateway] user change of ${change.id} refused by the gateway: ${response.status}`);
    } catch (error) {
      strapi.log.warn(`[gateway] user change of ${change.id} not delivered (${error.name}); the gateway re-checks within its interval`);
    }
  }

  const idOf = (event) => event.result?.id ?? event.params?.where?.id ?? event.state?.before?.id;

  strapi.db.lifecycles.subscribe({
    models: [USER_UID],

    async beforeUpdate(event) {
      const id = event.params?.where?.id;
      if (id != null) event.state.before = await users().findOne({ where: { id }, populate: ['role'] });
    },

    async afterUpdate(event) {
      const before = event.state?.before;
      const id = idOf(event);
      if (id == null) return;
      const after = await users().findOne({ where: { id }, populate: ['role'] });
      const changed = [];
      if ((before?.role?.id ?? null) !== (after?.role?.id ?? null)) changed.push('role');
      if (Boolean(before?.blocked) !== Boolean(after?.blocked)) changed.push('blocked');
      if (event.params?.data?.password !== undefined) changed.push('password');
      if ((before?.email ?? null) !== (after?.email ?? null)) changed.push('email');
      if (changed.length === 0) return;
      await tell({ event: 'user.update', id, email: before?.email ?? after?.email ?? null, blocked: Boolean(after?.blocked), changed });
    },

    async beforeDelete(event) {
      const id = event.params?.where?.id;
      if (id != null) event.state.before = await users().findOne({ where: { id } });
    },

    async afterDelete(event) {
      const id = idOf(event);
      if (id == null) return;
      const email = event.result?.email ?? event.state?.before?.email ?? null;
      await tell({ event: 'user.delete', id, email, blocked: false, changed: [] });
    },
  });
  strapi.log.info(`[gateway] user changes (role, blocked, password, email, delete) are posted to ${url}`);
}

module.exports = { subscribeUserChanges };
