// Webhooks checked by the published Standard Webhooks library (npm `standardwebhooks`), as a shop's back
// end would: the real server (`tally-server demo --allow-private-webhooks`), a Node receiver on
// 127.0.0.1, an endpoint of the demo shop, then an order, a redemption and a test event; every delivery
// must verify with `new Webhook(secret).verify(body, headers)` and carry the contract's body.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { SHOP, freshCustomer, merchant, signShopper, startServer } from './harness.mjs';

let server;
let receiver;
const received = [];

before(async () => {
  // The receiver is on loopback over plain http: allowed only with the development flag.
  process.env.TALLY_ALLOW_PRIVATE_WEBHOOKS = '1';
  process.env.TALLY_WEBHOOK_RETRY_SCHEDULE = '1s,1s,1s';
  server = await startServer();
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await server?.stop();
});

async function until(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('every delivery verifies with the standardwebhooks library and carries type, timestamp and data', async () => {
  const { port } = receiver.address();
  const endpoint = await merchant(server.url, 'POST', '/webhooks', { url: `http://127.0.0.1:${port}/hooks`, events: ['*'] });
  assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/=]+$/);

  // A new customer's order of $250 (enrolment, signup and purchase points, Bronze → Silver) …
  const { id: customer } = await freshCustomer(server.url, 25_000);
  // … a redemption from the shopper's side …
  const token = signShopper(customer);
  const res = await fetch(`${server.url}/v1/shops/${SHOP}/me/redemptions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'idempotency-key': `r-${customer}`,
      'x-tally-customer': token.id, 'x-tally-timestamp': token.timestamp, 'x-tally-signature': token.signature,
    },
    body: JSON.stringify({ reward_id: '5off' }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const redemption = await res.json();
  // … and a test event.
  const sent = await merchant(server.url, 'POST', `/webhooks/${endpoint.id}/test`);

  const wanted = ['customer.enrolled', 'points.changed', 'tier.changed', 'reward.redeemed', 'webhook.test'];
  await until('one delivery of each type', () => wanted.every((t) => received.some((d) => JSON.parse(d.body).type === t)));

  const wh = new Webhook(endpoint.secret);
  for (const delivery of received) {
    assert.equal(delivery.path, '/hooks');
    assert.equal(delivery.headers['content-type'], 'application/json');
    // Throws unless the signature and timestamp are right; returns the parsed body.
    const payload = wh.verify(delivery.body, delivery.headers);
    assert.deepEqual(Object.keys(payload).sort(), ['data', 'timestamp', 'type']);
    assert.match(payload.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(delivery.headers['webhook-id'], /^evt_/);
    // A tampered body does not verify.
    assert.throws(() => wh.verify(delivery.body.replace('"data"', '"dat\\u0061"'), delivery.headers));
  }
  const ofType = (t) => received.map((d) => JSON.parse(d.body)).filter((p) => p.type === t);
  assert.deepEqual(ofType('customer.enrolled').map((p) => p.data), [{ customer_id: customer }]);
  assert.deepEqual(ofType('tier.changed').map((p) => p.data), [{ customer_id: customer, from: 'bronze', to: 'silver' }]);
  assert.deepEqual(ofType('reward.redeemed').map((p) => p.data), [{ customer_id: customer, redemption }]);
  assert.deepEqual(ofType('webhook.test').map((p) => p.data.webhook_id), [endpoint.id]);
  assert.ok(received.some((d) => d.headers['webhook-id'] === sent.event_id));
  const kinds = ofType('points.changed').map((p) => p.data.kind).sort();
  assert.deepEqual(kinds, ['earn', 'redeem', 'signup']);

  // The worker records an attempt after the receiver has answered, so the log may trail what arrived.
  const page = await until('every delivery recorded', async () => {
    const p = await merchant(server.url, 'GET', `/webhooks/${endpoint.id}/deliveries`);
    return p.items.length === received.length && p.items.every((d) => d.status !== 'pending') ? p : null;
  });
  assert.ok(page.items.every((d) => d.status === 'succeeded' && d.response_status === 204 && d.attempts === 1));
});
