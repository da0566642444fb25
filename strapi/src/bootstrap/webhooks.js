'use strict';

const WEBHOOK_NAME = 'gateway-cache';
const EVENTS = ['entry.create', 'entry.update', 'entry.delete', 'entry.publish', 'entry.unpublish'];
const SECRET_HEADER = 'X-Strapi-Webhook-Secret';

/**
 * Make Strapi tell the gateway about every change, so its response cache evicts what changed.
 *
 * With GATEWAY_WEBHOOK_URL (e.g. http://127.0.0.1:8080/webhooks/strapi) and GATEWAY_WEBHOOK_SECRET set, a webhook
 * named "gateway-cache" posts entry create/update/delete/publish/unpublish to that URL with the secret in the
 * X-Strapi-Webhook-Secret header. Without them, that webhook is removed. Runs on every start, after the seed (so a
 * seed does not post thousands of events). Strapi 5 keeps webhooks in its database (the `webhookStore` service) and
 * loads them into the `webhookRunner` before the app's bootstrap runs, so a webhook created or changed here is also
 * handed to the runner, as Strapi's own admin controller does.
 */
async function ensureGatewayWebhook(strapi) {
  const url = process.env.GATEWAY_WEBHOOK_URL;
  const secret = process.env.GATEWAY_WEBHOOK_SECRET;
  const store = strapi.get('webhookStore');
  const runner = strapi.get('webhookRunner');
  const existing = (await store.findWebhooks()).find((webhook) => webhook.name === WEBHOOK_NAME);

  if (!url || !secret) {
    if (existing) {
      await store.deleteWebhook(existing.id);
      runner.remove(existing);
      strapi.log.info('[gateway] GATEWAY_WEBHOOK_URL/SECRET unset: webhook "gateway-cache" removed');
    }
    return;
  }

  const wanted = { name: WEBHOOK_NAME, url, headers: { [SECRET_HEADER]: secret }, events: EVENTS, isEnabled: true };
  const webhook = existing ? await store.updateWebhook(existing.id, wanted) : await store.createWebhook(wanted);
  runner.update(webhook);
  strapi.log.info(`[gateway] webhook "gateway-cache" posts ${EVENTS.join(', ')} to ${url}`);
}

module.exports = { ensureGatewayWebhook };
