import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeBrowser, tick } from './fakedom.mjs';
import { Tracker, getQuery, postBody, takeBatch, endpointBase } from '../../dist/internal.mjs';

const COMMON = ['eid', 'tv', 'tna', 'aid', 'p', 'cookie', 'cs', 'lang', 'res', 'cd', 'tz', 'dtm', 'vp', 'ds', 'vid', 'sid', 'duid'];
const body = (req) => JSON.parse(req.init.body);

test('page view: POST payload_data 1-0-4 with web_page and client_session entities and cookies', async () => {
  const b = installFakeBrowser();
  const t = new Tracker('sp', 'http://collector.test:9090/', { appId: 'shop', contexts: { session: true } });
  t.setUserId('u-1');
  t.trackPageView();
  await tick();
  assert.equal(b.sent.length, 1);
  const req = b.sent[0];
  assert.equal(req.url, 'http://collector.test:9090/com.snowplowanalytics.snowplow/tp2');
  assert.equal(req.init.method, 'POST');
  assert.equal(req.init.headers['content-type'], 'application/json; charset=UTF-8');
  assert.equal(req.init.credentials, 'include');
  const j = body(req);
  assert.equal(j.schema, 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4');
  const ev = j.data[0];
  for (const k of COMMON) assert.ok(ev[k], `missing ${k}`);
  assert.ok(Object.values(ev).every((v) => typeof v === 'string'));
  assert.equal(ev.e, 'pv');
  assert.equal(ev.url, 'http://shop.test/p?x=1');
  assert.equal(ev.page, 'Test page');
  assert.equal(ev.refr, 'http://ref.test/');
  assert.equal(ev.aid, 'shop');
  assert.equal(ev.uid, 'u-1');
  assert.equal(ev.res, '1280x720');
  assert.equal(ev.vid, '1');
  assert.match(ev.stm, /^\d{13}$/);
  const co = JSON.parse(ev.co);
  assert.equal(co.schema, 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0');
  assert.deepEqual(co.data[0], { schema: 'iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0', data: { id: t.pageViewId } });
  assert.equal(co.data[1].data.sessionId, ev.sid);
  assert.equal(co.data[1].data.userId, ev.duid);
  const suffix = '.c169'; // sha1('shop.test/')[0:4]
  const id = b.jar.get('_sp_id' + suffix);
  assert.ok(id, [...b.jar.keys()].join());
  assert.equal(id.split('.')[0], ev.duid);
  assert.equal(id.split('.')[5], ev.sid);
  assert.equal(b.jar.get('_sp_ses' + suffix), '*');
});

test('structured and self-describing events, bufferSize batching with one stm', async () => {
  const b = installFakeBrowser();
  const t = new Tracker('b', 'collector.test', { bufferSize: 3, contexts: { webPage: false } });
  t.trackStructEvent({ category: 'c', action: 'a', label: 'l', value: 1.5 });
  t.trackSelfDescribingEvent({ event: { schema: 'iglu:com.acme/x/jsonschema/1-0-0', data: { k: 'é' } } });
  await tick();
  assert.equal(b.sent.length, 0);
  t.trackStructEvent({ category: 'c', action: 'b' });
  await tick();
  assert.equal(b.sent.length, 1);
  assert.equal(b.sent[0].url, 'https://collector.test/com.snowplowanalytics.snowplow/tp2');
  const evs = body(b.sent[0]).data;
  assert.equal(evs.length, 3);
  assert.deepEqual([evs[0].se_ca, evs[0].se_ac, evs[0].se_la, evs[0].se_va], ['c', 'a', 'l', '1.5']);
  assert.equal(evs[0].co, undefined);
  assert.deepEqual(JSON.parse(evs[1].ue_pr), {
    schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0',
    data: { schema: 'iglu:com.acme/x/jsonschema/1-0-0', data: { k: 'é' } },
  });
  assert.equal(new Set(evs.map((e) => e.stm)).size, 1);
  assert.deepEqual(evs.map((e) => e.sid), [evs[0].sid, evs[0].sid, evs[0].sid]);
});

test('GET sends one event per request to /i with stm first and base64 JSON', async () => {
  const b = installFakeBrowser();
  const t = new Tracker('g', 'http://c.test', { eventMethod: 'get' });
  t.trackSelfDescribingEvent({ event: { schema: 'iglu:com.acme/x/jsonschema/1-0-0', data: { q: 'a b&c' } } });
  await tick();
  const u = new URL(b.sent[0].url);
  assert.equal(u.pathname, '/i');
  assert.equal([...u.searchParams.keys()][0], 'stm');
  const ue = JSON.parse(Buffer.from(u.searchParams.get('ue_px'), 'base64url').toString());
  assert.deepEqual(ue.data.data, { q: 'a b&c' });
  assert.ok(u.searchParams.get('cx'));
});

test('collector down: events stay queued in localStorage, retried with backoff, sent once', async () => {
  const b = installFakeBrowser();
  b.net.down = true;
  const t = new Tracker('r', 'http://c.test', { retryDelay: 20, maxRetryDelay: 40 });
  t.trackStructEvent({ category: 'c', action: '1' });
  t.trackStructEvent({ category: 'c', action: '2' });
  await tick(5);
  assert.equal(JSON.parse(b.storage.get('snowplowOutQueue_r_post')).length, 2);
  await tick(60);
  const attempts = b.sent.length;
  assert.ok(attempts >= 2, `retried ${attempts}`);
  b.net.down = false;
  await tick(120);
  const ok = b.sent.slice(attempts);
  const delivered = ok.flatMap((r) => body(r).data.map((e) => e.se_ac));
  assert.deepEqual(delivered.sort(), ['1', '2']);
  assert.equal(JSON.parse(b.storage.get('snowplowOutQueue_r_post')).length, 0);
  await tick(100);
  assert.equal(b.sent.length, attempts + ok.length);
});

test('a new tracker on the next page sends events left in localStorage', async () => {
  const b = installFakeBrowser();
  b.storage.set('snowplowOutQueue_n_post', JSON.stringify([{ e: 'se', se_ca: 'old', tv: 'x', p: 'web' }]));
  new Tracker('n', 'http://c.test', {});
  await tick(5);
  assert.equal(body(b.sent[0]).data[0].se_ca, 'old');
});

test('4xx that retrying cannot fix drops the batch; 5xx keeps it', async () => {
  const b = installFakeBrowser();
  b.net.status = 500;
  const t = new Tracker('s', 'http://c.test', { retryDelay: 100 });
  t.trackStructEvent({ category: 'c', action: 'x' });
  await tick(5);
  assert.equal(t.queue.queue.length, 1);
  b.net.status = 400;
  const t2 = new Tracker('s2', 'http://c.test', {});
  t2.trackStructEvent({ category: 'c', action: 'x' });
  await tick(5);
  assert.equal(t2.queue.queue.length, 0);
  assert.equal(t.queue.queue.length, 1, 'the 5xx batch is still waiting for its retry');
  b.net.status = 200;
  await tick(300);
  assert.equal(t.queue.queue.length, 0);
});

test('anonymous tracking: no duid/uid, no cookies, SP-Anonymous header', async () => {
  const b = installFakeBrowser();
  const t = new Tracker('a', 'http://c.test', { anonymousTracking: { withServerAnonymisation: true }, stateStorageStrategy: 'none' });
  t.setUserId('someone');
  t.trackPageView();
  await tick();
  const ev = body(b.sent[0]).data[0];
  assert.equal(ev.duid, undefined);
  assert.equal(ev.uid, undefined);
  assert.ok(ev.sid);
  assert.equal(b.jar.size, 0);
  assert.equal(b.sent[0].init.headers['sp-anonymous'], '*');
});

test('opt-out cookie and Do Not Track stop tracking', async () => {
  const b = installFakeBrowser();
  const t = new Tracker('o', 'http://c.test', {});
  t.setOptOutCookie('optout');
  document.cookie = 'optout=1';
  t.trackPageView();
  navigator.doNotTrack = '1';
  const t2 = new Tracker('d', 'http://c.test', { respectDoNotTrack: true });
  t2.trackPageView();
  await tick();
  assert.equal(b.sent.length, 0);
});

test('second page view gets a new page view id', () => {
  installFakeBrowser();
  const t = new Tracker('p', 'http://c.test', { bufferSize: 10 });
  const first = t.pageViewId;
  t.trackPageView();
  assert.equal(t.pageViewId, first);
  t.trackPageView();
  assert.notEqual(t.pageViewId, first);
});

test('queue helpers', () => {
  installFakeBrowser();
  assert.equal(getQuery({ e: 'pv', url: 'http://x/?a=1&b=é' }, 5), 'stm=5&e=pv&url=http%3A%2F%2Fx%2F%3Fa%3D1%26b%3D%C3%A9');
  const j = JSON.parse(postBody([{ e: 'pv' }, { e: 'se' }], 7));
  assert.deepEqual(j.data, [{ e: 'pv', stm: '7' }, { e: 'se', stm: '7' }]);
  const big = Array.from({ length: 10 }, (_, i) => ({ e: 'se', se_la: 'x'.repeat(100), i: String(i) }));
  assert.equal(takeBatch(big, 400).length, 2);
  assert.equal(takeBatch(big, 10).length, 1);
  assert.equal(takeBatch(big, 1e6).length, 10);
  assert.equal(endpointBase('c.test/'), 'https://c.test');
  assert.equal(endpointBase('http://c.test:1/'), 'http://c.test:1');
});
