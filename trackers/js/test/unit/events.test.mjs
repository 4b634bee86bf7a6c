import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeBrowser, tick } from './fakedom.mjs';
import { run, trackers, Tracker } from '../../dist/internal.mjs';

const IGLU = 'iglu:com.snowplowanalytics.snowplow/';
const ue = (p) => JSON.parse(p.ue_pr).data;
const co = (p) => (p.co ? JSON.parse(p.co).data : []);

/** A tracker `name` made through the tag API that keeps what it tracks in its queue. */
function tagTracker(name, config = {}) {
  run('newTracker', name, 'http://c.test', { bufferSize: 100, contexts: { webPage: false }, ...config });
  return trackers[name];
}

test('timing, cart, social and ad commands send their schemas with the fields given', () => {
  installFakeBrowser();
  const t = tagTracker('ev1');
  const ctx = { schema: 'iglu:com.acme/x/jsonschema/1-0-0', data: {} };
  run('trackTiming:ev1', { category: 'load', variable: 'dom', timing: 120, label: undefined, context: [ctx] });
  run('trackAddToCart:ev1', { sku: 'S1', name: 'Widget', unitPrice: 9.5, quantity: 2, currency: 'GBP', extra: 'dropped' });
  run('trackRemoveFromCart:ev1', { sku: 'S1', quantity: 1 });
  run('trackSocialInteraction:ev1', { action: 'like', network: 'mastodon', target: 'post-1' });
  run('trackAdImpression:ev1', { impressionId: 'i1', costModel: 'cpm', cost: 0.5, bannerId: 'b' });
  run('trackAdClick:ev1', { targetUrl: 'https://ad.test/', clickId: 'c1', zoneId: 'z' });
  run('trackAdConversion:ev1', { conversionId: 'v1', category: 'signup', initialValue: 10 });
  const got = t.queue.queue.map((p) => [p.e, ue(p).schema, ue(p).data]);
  assert.deepEqual(got, [
    ['ue', IGLU + 'timing/jsonschema/1-0-0', { category: 'load', variable: 'dom', timing: 120 }],
    ['ue', IGLU + 'add_to_cart/jsonschema/1-0-0', { sku: 'S1', name: 'Widget', unitPrice: 9.5, quantity: 2, currency: 'GBP' }],
    ['ue', IGLU + 'remove_from_cart/jsonschema/1-0-0', { sku: 'S1', quantity: 1 }],
    ['ue', IGLU + 'social_interaction/jsonschema/1-0-0', { action: 'like', network: 'mastodon', target: 'post-1' }],
    ['ue', IGLU + 'ad_impression/jsonschema/1-0-0', { impressionId: 'i1', bannerId: 'b', costModel: 'cpm', cost: 0.5 }],
    ['ue', IGLU + 'ad_click/jsonschema/1-0-0', { clickId: 'c1', zoneId: 'z', targetUrl: 'https://ad.test/' }],
    ['ue', IGLU + 'ad_conversion/jsonschema/1-0-0', { conversionId: 'v1', category: 'signup', initialValue: 10 }],
  ]);
  assert.deepEqual(co(t.queue.queue[0]), [ctx]);
});

test('consent events carry the consent document; the GDPR entity rides on every later event', () => {
  installFakeBrowser();
  const t = tagTracker('ev2');
  run('trackConsentGranted:ev2', { id: 'doc-1', version: '2', name: 'Terms', expiry: '2030-01-01T00:00:00Z' });
  run('trackConsentWithdrawn:ev2', { all: true });
  run('enableGdprContext:ev2', { basisForProcessing: 'nonsense' });
  run('trackStructEvent:ev2', { category: 'c', action: 'before' });
  run('enableGdprContext:ev2', { basisForProcessing: 'legitimateInterests', documentId: 'd' });
  run('trackStructEvent:ev2', { category: 'c', action: 'after' });
  const [granted, withdrawn, before, after] = t.queue.queue;
  assert.deepEqual(ue(granted), { schema: IGLU + 'consent_granted/jsonschema/1-0-0', data: { expiry: '2030-01-01T00:00:00Z' } });
  assert.deepEqual(co(granted), [{ schema: IGLU + 'consent_document/jsonschema/1-0-0', data: { id: 'doc-1', version: '2', name: 'Terms' } }]);
  assert.deepEqual(ue(withdrawn).data, { all: true });
  assert.deepEqual(co(withdrawn), [], 'no document named, no consent_document');
  assert.deepEqual(co(before), [], 'an unknown basis sets nothing');
  assert.deepEqual(co(after), [
    {
      schema: IGLU + 'gdpr/jsonschema/1-0-0',
      data: { basisForProcessing: 'legitimate_interests', documentId: 'd', documentVersion: null, documentDescription: null },
    },
  ]);
});

test('button clicks: label, id, classes and name; the filter applies', () => {
  const b = installFakeBrowser();
  const t = tagTracker('ev3');
  run('enableButtonClickTracking:ev3', { filter: { denylist: ['secret'] }, defaultLabel: 'icon' });
  const button = (attrs, text) => ({
    tagName: attrs.type ? 'INPUT' : 'BUTTON',
    id: attrs.id || '',
    value: attrs.value,
    textContent: text,
    getAttribute: (k) => attrs[k] ?? null,
  });
  const click = (el) => {
    for (const f of b.listeners.click) f({ target: { closest: () => el } });
  };
  click(button({ id: 'buy', class: 'cta big', name: 'buy' }, '  Buy now '));
  click(button({ type: 'submit', value: 'Send' }));
  click(button({}, ''));
  click(button({ class: 'secret' }, 'Hidden'));
  assert.deepEqual(
    t.queue.queue.map((p) => ue(p)),
    [
      { schema: IGLU + 'button_click/jsonschema/1-0-0', data: { label: 'Buy now', id: 'buy', classes: ['cta', 'big'], name: 'buy' } },
      { schema: IGLU + 'button_click/jsonschema/1-0-0', data: { label: 'Send' } },
      { schema: IGLU + 'button_click/jsonschema/1-0-0', data: { label: 'icon' } },
    ],
  );
});

test('activity callback gets the scroll range instead of a ping; updatePageActivity counts as activity', (ctx) => {
  ctx.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  installFakeBrowser();
  const t = tagTracker('ev4');
  const seen = [];
  run('enableActivityTrackingCallback:ev4', { minimumVisitLength: 1, heartbeatDelay: 1, callback: (d) => seen.push(d) });
  run('trackPageView:ev4');
  ctx.mock.timers.tick(1000);
  assert.deepEqual(seen, [], 'no activity, no heartbeat');
  window.pageYOffset = 300;
  ctx.mock.timers.tick(10);
  run('updatePageActivity:ev4');
  ctx.mock.timers.tick(1000);
  assert.deepEqual(seen, [{ pageViewId: t.pageViewId, minXOffset: 0, maxXOffset: 0, minYOffset: 0, maxYOffset: 300 }]);
  ctx.mock.timers.tick(1000);
  assert.equal(seen.length, 1, 'idle since: no more heartbeats');
  assert.ok(t.queue.queue.every((p) => p.e !== 'pp'), 'no page ping is sent');
  ctx.mock.timers.reset();
});

test('user id from the URL or referrer, buffer size, collector URL, page view id and cookie names', async () => {
  const b = installFakeBrowser({ href: 'http://shop.test/p?uid=jo%40b.test', referrer: 'http://ref.test/?u=ref-user' });
  const t = new Tracker('st', 'http://c.test', { bufferSize: 5, cookieLifetime: 86400 });
  t.setUserIdFromLocation('uid');
  assert.equal(t.getUserId(), 'jo@b.test');
  t.setUserIdFromReferrer('u');
  assert.equal(t.getUserId(), 'ref-user');
  t.setUserIdFromLocation('missing');
  assert.equal(t.getUserId(), undefined);
  assert.equal(t.getCookieName('id'), '_sp_id.c169');
  const info = t.getDomainUserInfo();
  assert.equal(info[0], '1', 'a new visitor before any event');
  assert.equal(info[1], t.getDomainUserId());
  t.preservePageViewId();
  t.trackPageView();
  const first = t.pageViewId;
  t.trackPageView();
  assert.equal(t.pageViewId, first);
  assert.equal(t.getDomainUserInfo()[0], '0');
  assert.equal(t.getDomainUserInfo()[3], 1, 'visit count');
  const local = new Tracker('ls', 'http://c.test', { stateStorageStrategy: 'localStorage', bufferSize: 5 });
  assert.equal(local.getDomainUserInfo()[0], '1');
  local.trackPageView();
  assert.equal(local.getDomainUserInfo()[0], '0', 'kept in localStorage, not in a cookie');
  const days = (ms) => Math.round((ms - Date.now()) / 86400000);
  assert.equal(days(b.expiries.get('_sp_id.c169')), 1, 'cookieLifetime');
  t.setVisitorCookieTimeout(7 * 86400);
  t.trackStructEvent({ category: 'c', action: 'later' });
  assert.equal(days(b.expiries.get('_sp_id.c169')), 7, 'setVisitorCookieTimeout');
  t.setCollectorUrl('https://other.test');
  t.setBufferSize(4);
  await tick();
  assert.equal(b.sent.length, 0, 'three events wait in a buffer of 4');
  t.trackStructEvent({ category: 'c', action: 'fourth' });
  await tick();
  assert.equal(b.sent.length, 1);
  assert.equal(b.sent[0].url, 'https://other.test/com.snowplowanalytics.snowplow/tp2');
  assert.equal(JSON.parse(b.sent[0].init.body).data.length, 4);
});

test('clearUserData forgets the user and the session, unless asked to keep either', () => {
  installFakeBrowser();
  const t = new Tracker('cl', 'http://c.test', { bufferSize: 100 });
  const ids = () => {
    t.trackStructEvent({ category: 'c', action: 'a' });
    const p = t.queue.queue[t.queue.queue.length - 1];
    return { duid: p.duid, sid: p.sid, vid: p.vid, uid: p.uid };
  };
  t.setUserId('jo');
  const first = ids();
  assert.equal(first.vid, '1');

  t.clearUserData({ preserveUser: true });
  const kept = ids();
  assert.deepEqual([kept.duid, kept.uid, kept.vid], [first.duid, 'jo', '2']);
  assert.notEqual(kept.sid, first.sid);

  t.clearUserData({ preserveSession: true });
  const session = ids();
  assert.equal(session.sid, kept.sid);
  assert.notEqual(session.duid, kept.duid);
  assert.equal(session.uid, undefined);

  t.setUserId('jo');
  t.clearUserData();
  const gone = ids();
  assert.notEqual(gone.duid, session.duid);
  assert.notEqual(gone.sid, session.sid);
  assert.deepEqual([gone.vid, gone.uid], ['1', undefined]);
});
