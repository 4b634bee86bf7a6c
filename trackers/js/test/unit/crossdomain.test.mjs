import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeBrowser, tick } from './fakedom.mjs';
import { Tracker, decorate, spValue, tabId } from '../../dist/internal.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const b64 = (s) => Buffer.from(s).toString('base64url');
const body = (req) => JSON.parse(req.init.body);

/** A pressed link: what the document-level listener sees as the event's target. */
function press(b, link, type = 'mousedown') {
  const e = { type, target: { closest: (sel) => (sel === 'a[href],area[href]' ? link : null) } };
  for (const f of b.listeners[type] || []) f(e);
  return e;
}

test('decorate puts _sp in the query, before the fragment, replacing an earlier one', () => {
  const v = 'd.1';
  assert.equal(decorate('https://b.test/', v), 'https://b.test/?_sp=d.1');
  assert.equal(decorate('https://b.test/p?x=1#top', v), 'https://b.test/p?x=1&_sp=d.1#top');
  assert.equal(decorate('https://b.test/p?', v), 'https://b.test/p?_sp=d.1');
  assert.equal(decorate('https://b.test/p?_sp=old.2&x=1', v), 'https://b.test/p?x=1&_sp=d.1');
  assert.equal(decorate('https://b.test/p?x=1&_sp=old.2', v), 'https://b.test/p?x=1&_sp=d.1');
  assert.equal(decorate('https://b.test/p?_sp=old.2', v), 'https://b.test/p?_sp=d.1');
  assert.equal(decorate('https://b.test/p?my_sp=k', v), 'https://b.test/p?my_sp=k&_sp=d.1');
});

test('_sp value: short form, and the extended form with the parts asked for', () => {
  installFakeBrowser();
  const t = new Tracker('x', 'http://c.test', { appId: 'shop', bufferSize: 10 });
  t.setUserId('jo@b.test');
  t.trackPageView(); // starts the session
  const duid = t.getDomainUserId();
  const sid = t.session.load(Date.now()).sid;
  const [d, ts, ...rest] = spValue(t, undefined).split('.');
  assert.equal(d, duid);
  assert.ok(Math.abs(Number(ts) - Date.now()) < 5000);
  assert.deepEqual(rest, []);
  const full = spValue(t, true).split('.');
  assert.equal(full.length, 7);
  assert.deepEqual(full.slice(2), [sid, b64('jo@b.test'), b64('shop'), 'web', '']);
  const some = spValue(t, { sourceId: true, reason: (e) => 'from ' + e.type }, undefined, { type: 'click' }).split('.');
  assert.deepEqual(some.slice(2), ['', '', b64('shop'), '', b64('from click')]);
  const text = spValue(t, { reason: true }, { textContent: '  Our partner ' }).split('.');
  assert.equal(text[6], b64('Our partner'));
});

test('links the linker accepts get _sp as they are pressed; the others and anonymous trackers do not', async () => {
  const b = installFakeBrowser();
  const t = new Tracker('l', 'http://c.test', { crossDomainLinker: (a) => a.id === 'partner' });
  const partner = { id: 'partner', href: 'https://partner.test/landing?x=1#a' };
  const other = { id: 'other', href: 'https://other.test/' };
  press(b, partner);
  press(b, other);
  assert.match(partner.href, /^https:\/\/partner\.test\/landing\?x=1&_sp=[0-9a-f-]{36}\.\d{13}#a$/);
  const carried = partner.href.split('_sp=')[1].split('.')[0];
  assert.equal(carried, t.getDomainUserId());
  t.trackPageView(); // a link pressed before the first event carries the id that event gets
  await tick();
  assert.equal(body(b.sent[0]).data[0].duid, carried);
  assert.equal(other.href, 'https://other.test/');
  press(b, partner, 'click'); // pressed again: one _sp, refreshed
  assert.equal(partner.href.split('_sp=').length, 2);

  const anon = new Tracker('anon', 'http://c.test', { anonymousTracking: true, stateStorageStrategy: 'none' });
  anon.crossDomainLinker(() => true);
  t.linker = undefined;
  const link = { href: 'https://partner.test/' };
  press(b, link);
  assert.equal(link.href, 'https://partner.test/');

  const broken = new Tracker('broken', 'http://c.test', {});
  broken.crossDomainLinker(() => {
    throw new Error('page bug');
  });
  assert.doesNotThrow(() => press(b, link));
  assert.equal(link.href, 'https://partner.test/');
});

test('contexts.browser adds a browser_context 2-0-0 entity with a per-tab id', async () => {
  const b = installFakeBrowser();
  navigator.onLine = true;
  navigator.hardwareConcurrency = 8;
  navigator.webdriver = false;
  const t = new Tracker('bc', 'http://c.test', { contexts: { webPage: false, browser: true } });
  t.trackPageView();
  await tick();
  const co = JSON.parse(body(b.sent[0]).data[0].co);
  assert.equal(co.data.length, 1);
  assert.equal(co.data[0].schema, 'iglu:com.snowplowanalytics.snowplow/browser_context/jsonschema/2-0-0');
  const d = co.data[0].data;
  assert.deepEqual(
    { ...d, tabId: undefined },
    {
      viewport: '800x600',
      documentSize: '800x2000',
      resolution: '1280x720',
      colorDepth: 24,
      devicePixelRatio: 2,
      cookiesEnabled: true,
      online: true,
      browserLanguage: 'en-GB',
      documentLanguage: 'en',
      webdriver: false,
      deviceMemory: null,
      hardwareConcurrency: 8,
      tabId: undefined,
    },
  );
  assert.match(d.tabId, UUID);
  assert.equal(tabId(), d.tabId, 'the same tab keeps its id');
  assert.equal(b.tabStorage.get('_sp_tab_id'), d.tabId);

  document.documentElement.lang = 'x-a-very-long-language-tag';
  const t2 = new Tracker('bc2', 'http://c.test', {});
  t2.trackPageView();
  await tick();
  const plain = JSON.parse(body(b.sent[1]).data[0].co);
  assert.ok(plain.data.every((e) => !e.schema.includes('browser_context')), 'off unless asked for');
  t.trackPageView();
  await tick();
  assert.equal(JSON.parse(body(b.sent[2]).data[0].co).data[0].data.documentLanguage, null, 'too long for the schema');
});
