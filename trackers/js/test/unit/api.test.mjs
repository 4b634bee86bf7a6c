import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeBrowser, tick } from './fakedom.mjs';
import { installGlobal, trackers, run, ScrollRange, Cart, allowed, linkData, Tracker } from '../../dist/internal.mjs';

test('snippet queue is replayed in order and the global becomes the live API', async () => {
  const b = installFakeBrowser();
  const w = { GlobalSnowplowNamespace: ['snowplow'] };
  const q = [];
  w.snowplow = function () { q.push(arguments); };
  w.snowplow.q = q;
  w.snowplow('newTracker', 'q1', 'http://c.test', { appId: 'x', bufferSize: 10 });
  w.snowplow('newTracker', 'q2', 'http://c.test', { appId: 'y', bufferSize: 10 });
  w.snowplow('setUserId:q2', 'only-q2');
  w.snowplow('trackStructEvent', { category: 'c', action: 'both' });
  installGlobal(w);
  assert.equal(typeof w.snowplow, 'function');
  w.snowplow('trackStructEvent:q1', { category: 'c', action: 'one' });
  let self;
  w.snowplow(function () { self = this; });
  assert.equal(self, trackers);
  assert.deepEqual(trackers.q1.queue.queue.map((p) => p.se_ac), ['both', 'one']);
  assert.deepEqual(trackers.q2.queue.queue.map((p) => [p.se_ac, p.uid]), [['both', 'only-q2']]);
  w.snowplow('flushBuffer:q1');
  await tick();
  assert.equal(b.sent.length, 1);
});

test('unknown commands, bad arguments and throwing callbacks never escape', () => {
  installFakeBrowser();
  run('noSuchCommand', 1, 2);
  run(42);
  run('trackStructEvent:missing', {});
  run('trackSelfDescribingEvent', null);
  run(() => { throw new Error('page bug'); });
  run('track', {});
});

test('ScrollRange reports min/max since reset and omits zeros', () => {
  const r = new ScrollRange();
  r.reset(0, 100);
  r.update(0, 700);
  r.update(0, 50);
  const p = {};
  r.fields(p);
  assert.deepEqual(p, { pp_miy: '50', pp_may: '700' });
});

test('Cart sends tr then ti events with protocol fields and empties itself', () => {
  installFakeBrowser();
  const t = new Tracker('cart', 'http://c.test', { bufferSize: 10 });
  const c = new Cart();
  c.addTrans({ orderId: 'o', total: 9.5, currency: 'EUR' });
  c.addItem({ orderId: 'o', sku: 's', price: 4.75, quantity: 2 });
  c.trackTrans(t);
  const [tr, ti] = t.queue.queue;
  assert.deepEqual([tr.e, tr.tr_id, tr.tr_tt, tr.tr_cu], ['tr', 'o', '9.5', 'EUR']);
  assert.deepEqual([ti.e, ti.ti_id, ti.ti_sk, ti.ti_pr, ti.ti_qu], ['ti', 'o', 's', '4.75', '2']);
  c.trackTrans(t);
  assert.equal(t.queue.queue.length, 2);
});

test('link filters and link data', () => {
  const el = (cls, extra = {}) => ({ getAttribute: (n) => (n === 'class' ? cls : null), href: 'http://x/', id: '', target: '', innerHTML: '', ...extra });
  assert.ok(allowed(el('a b'), { allowlist: ['b'] }));
  assert.ok(!allowed(el('a'), { allowlist: ['b'] }));
  assert.ok(!allowed(el('a no'), { denylist: ['no'] }));
  assert.ok(allowed(el('a'), { filter: () => true }));
  assert.deepEqual(linkData(el('x y', { id: 'i', target: '_blank', innerHTML: 'Hi' }), true), {
    targetUrl: 'http://x/', elementId: 'i', elementClasses: ['x', 'y'], elementTarget: '_blank', elementContent: 'Hi',
  });
});

test('beacon method hands the batch to navigator.sendBeacon as application/json', async () => {
  const b = installFakeBrowser();
  const beacons = [];
  navigator.sendBeacon = (url, blob) => (beacons.push({ url, blob }), true);
  const t = new Tracker('bc', 'http://c.test', { eventMethod: 'beacon' });
  t.trackStructEvent({ category: 'c', action: 'beacon' });
  await tick();
  assert.equal(b.sent.length, 0);
  assert.equal(beacons.length, 1);
  assert.equal(beacons[0].url, 'http://c.test/com.snowplowanalytics.snowplow/tp2');
  assert.equal(beacons[0].blob.type, 'application/json');
  const j = JSON.parse(await beacons[0].blob.text());
  assert.equal(j.data[0].se_ac, 'beacon');
  assert.equal(t.queue.queue.length, 0);
});

test('page hide sends buffered POST events by beacon', async () => {
  const b = installFakeBrowser();
  const beacons = [];
  navigator.sendBeacon = (url, blob) => (beacons.push(blob), true);
  const t = new Tracker('hide', 'http://c.test', { bufferSize: 5 });
  t.trackStructEvent({ category: 'c', action: '1' });
  t.trackStructEvent({ category: 'c', action: '2' });
  b.listeners.pagehide.forEach((f) => f());
  assert.equal(beacons.length, 1);
  assert.equal(JSON.parse(await beacons[0].text()).data.length, 2);
  assert.equal(t.queue.queue.length, 0);
});

test('page hide keeps events persisted while the collector is failing', async () => {
  const b = installFakeBrowser();
  const beacons = [];
  navigator.sendBeacon = (url, blob) => (beacons.push(blob), true);
  b.net.down = true;
  const t = new Tracker('hide2', 'http://c.test', { retryDelay: 200 });
  t.trackStructEvent({ category: 'c', action: 'x' });
  await tick(5);
  b.listeners.pagehide.forEach((f) => f());
  assert.equal(beacons.length, 0);
  assert.equal(JSON.parse(b.storage.get('snowplowOutQueue_hide2_post')).length, 1);
  b.net.down = false; // let the pending retry deliver so no timer outlives the test
  await tick(400);
  assert.equal(t.queue.queue.length, 0);
});
