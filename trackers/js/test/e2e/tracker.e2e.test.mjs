// Browser tracker in headless Chromium against a real pyplow quickstart (collector + enrich).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline, freePort, page, pageServer, browser, sleep, entity } from './harness.mjs';

let pl, srv, br;
const TIMING = 'iglu:com.snowplowanalytics.snowplow/timing/jsonschema/1-0-0';
const cfg = (extra = '') => `{appId:'e2e',contexts:{webPage:true,session:true}${extra}}`;

before(async () => {
  pl = new Pipeline(await freePort());
  await pl.start();
  const c = pl.base;
  srv = await pageServer({
    '/core.html': page(c, `
      snowplow('newTracker','sp',COLLECTOR,${cfg(",bufferSize:2")});
      snowplow('setUserId','user-42');
      snowplow('addGlobalContexts',[{schema:'iglu:com.snowplowanalytics.snowplow/geolocation_context/jsonschema/1-1-0',data:{latitude:51.5,longitude:-0.1}}]);
      snowplow('trackPageView');
      snowplow('trackStructEvent',{category:'shop',action:'add',label:'Café ☕',property:'p',value:19.99});
      snowplow('trackSelfDescribingEvent',{event:{schema:'${TIMING}',data:{category:'load',variable:'dom',timing:123}}});`),
    '/reload.html': page(c, `snowplow('newTracker','sp',COLLECTOR,${cfg()}); snowplow('trackPageView');`),
    '/anon.html': page(c, `
      snowplow('newTracker','anon',COLLECTOR,{appId:'anon',anonymousTracking:{withServerAnonymisation:true},stateStorageStrategy:'none',contexts:{session:true}});
      snowplow('setUserId','should-not-be-sent');
      snowplow('trackPageView'); snowplow('trackStructEvent',{category:'a',action:'b'});`),
    '/interact.html': page(c, `
      snowplow('newTracker','sp',COLLECTOR,${cfg()});
      snowplow('enableActivityTracking',{minimumVisitLength:1,heartbeatDelay:1});
      snowplow('enableLinkClickTracking',{trackContent:true});
      snowplow('enableFormTracking');
      snowplow('trackPageView');`,
      `<a id="lnk" class="nav main" href="#section">Go to section</a>
       <form id="signup" class="f1" onsubmit="return false">
         <input id="email" name="email" type="email"><input id="pw" name="pw" type="password">
         <select id="plan" name="plan"><option value="a">A</option><option value="b">B</option></select>
         <button id="go" type="submit">Sign up</button></form>`),
    '/xdomain.html': page(c, `
      snowplow('newTracker','sp',COLLECTOR,{appId:'e2e',contexts:{browser:true},useExtendedCrossDomainLinker:{sourceId:true,sourcePlatform:true},
        crossDomainLinker:function(a){return a.id==='partner';}});
      snowplow('trackPageView');`,
      `<a id="partner" href="/landing.html?from=shop#top">Our partner</a> <a id="plain" href="/landing.html">Plain</a>`),
    '/landing.html': page(c, `snowplow('newTracker','sp',COLLECTOR,{appId:'e2e',contexts:{browser:true}}); snowplow('trackPageView');`),
    '/more.html': page(c, `
      snowplow('newTracker','sp',COLLECTOR,${cfg(",bufferSize:5")});
      snowplow('enableGdprContext',{basisForProcessing:'consent',documentId:'privacy',documentVersion:'3'});
      snowplow('enableButtonClickTracking');
      snowplow('trackTiming',{category:'load',variable:'dom',timing:321,label:'first'});
      snowplow('trackAddToCart',{sku:'S1',name:'Widget',category:'tools',unitPrice:9.5,quantity:2,currency:'GBP'});
      snowplow('trackRemoveFromCart',{sku:'S1',unitPrice:9.5,quantity:1});
      snowplow('trackSocialInteraction',{action:'like',network:'mastodon',target:'post-1'});
      snowplow('trackAdImpression',{impressionId:'i1',costModel:'cpm',cost:0.5,bannerId:'b1',zoneId:'z1',advertiserId:'a1',campaignId:'c1',targetUrl:'https://ad.test/'});
      snowplow('trackAdClick',{targetUrl:'https://ad.test/',clickId:'k1',costModel:'cpc',cost:0.2});
      snowplow('trackAdConversion',{conversionId:'v1',category:'signup',action:'done',costModel:'cpa',cost:3,initialValue:10});
      snowplow('trackConsentGranted',{id:'terms',version:'2',name:'Terms',description:'Our terms',expiry:'2030-01-01T00:00:00.000Z'});
      snowplow('trackConsentWithdrawn',{all:false,id:'terms',version:'2'});`,
      `<button id="buy" class="cta" name="buy">Buy now</button>`),
    '/extras.html': page(c, `
      snowplow('newTracker','sp',COLLECTOR,${cfg()});
      snowplow('addTrans',{orderId:'o-1',total:30.5,tax:2,shipping:3,currency:'GBP',city:'London'});
      snowplow('addItem',{orderId:'o-1',sku:'S1',name:'Widget',price:10.25,quantity:2,currency:'GBP'});
      snowplow('trackTrans');
      snowplow('trackSiteSearch',{terms:['blue','widget'],filters:{color:'blue'},totalResults:7,pageResults:5});
      snowplow('enableErrorTracking');
      snowplow(function(){ setTimeout(function(){ null.boom(); }, 10); });`),
  });
  br = await browser();
});

after(async () => {
  await br?.close();
  await srv?.close();
  await pl?.close();
});

test('page view, structured and self-describing events are enriched as good events', async () => {
  await pl.reset();
  const ctx = await br.newContext();
  const pg = await ctx.newPage();
  await pg.goto(srv.base + '/core.html');
  const evs = await pl.waitGood(3);
  await ctx.close();
  const by = Object.fromEntries(evs.map((e) => [e.event.event, e.event]));
  const pv = by.page_view;
  assert.equal(pv.app_id, 'e2e');
  assert.equal(pv.page_title, 'E2E shop – Café');
  assert.equal(pv.page_url, srv.base + '/core.html');
  assert.equal(pv.user_id, 'user-42');
  assert.equal(pv.v_tracker, 'js-pyplow-0.1.0');
  assert.equal(pv.platform, 'web');
  assert.match(pv.domain_userid, /^[0-9a-f-]{36}$/);
  assert.equal(pv.domain_sessionidx, 1);
  assert.ok(pv.dvce_sent_tstamp && pv.dvce_created_tstamp);
  assert.deepEqual(entity(pv, 'geolocation_context'), { latitude: 51.5, longitude: -0.1 });
  const wp = entity(pv, 'web_page');
  const cs = entity(pv, 'client_session');
  assert.equal(cs.userId, pv.domain_userid);
  assert.equal(cs.sessionId, pv.domain_sessionid);
  assert.equal(cs.firstEventId, pv.event_id);
  const se = by.struct;
  assert.deepEqual([se.se_category, se.se_action, se.se_label, se.se_property, se.se_value], ['shop', 'add', 'Café ☕', 'p', 19.99]);
  assert.deepEqual(entity(se, 'web_page'), wp);
  assert.equal(se.domain_sessionid, pv.domain_sessionid);
  const ue = by.unstruct;
  assert.equal(ue.event_name, 'timing');
  assert.deepEqual(ue.unstruct_event.data.data, { category: 'load', variable: 'dom', timing: 123 });
  assert.equal((await pl.counts()).bad, 0);
});

test('session and domain user id survive reloads; a new page view id per page', async () => {
  await pl.reset();
  const ctx = await br.newContext();
  const pg = await ctx.newPage();
  await pg.goto(srv.base + '/reload.html');
  await pl.waitGood(1, 'page_view');
  await pg.reload();
  await pl.waitGood(2, 'page_view');
  await pg.goto(srv.base + '/reload.html?again=1');
  const evs = (await pl.waitGood(3, 'page_view')).map((e) => e.event);
  const cookies = await ctx.cookies();
  await ctx.close();
  assert.equal(new Set(evs.map((e) => e.domain_userid)).size, 1);
  assert.equal(new Set(evs.map((e) => e.domain_sessionid)).size, 1);
  assert.deepEqual(evs.map((e) => e.domain_sessionidx), [1, 1, 1]);
  assert.equal(new Set(evs.map((e) => entity(e, 'web_page').id)).size, 3);
  assert.deepEqual(evs.map((e) => entity(e, 'client_session').eventIndex).sort(), [1, 2, 3]);
  const id = cookies.find((c) => c.name === '_sp_id.dc78');
  assert.ok(id, JSON.stringify(cookies));
  assert.equal(id.value.split('.')[0], evs[0].domain_userid);
  assert.equal(id.value.split('.')[9], '3');
  assert.ok(cookies.find((c) => c.name === '_sp_ses.dc78'));
});

test('anonymous tracking sets no cookies and sends no user identifiers', async () => {
  await pl.reset();
  const ctx = await br.newContext();
  const pg = await ctx.newPage();
  await pg.goto(srv.base + '/anon.html');
  const evs = (await pl.waitGood(2)).map((e) => e.event);
  const cookies = await ctx.cookies();
  const storage = await pg.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('_sp')));
  await ctx.close();
  assert.deepEqual(cookies.map((c) => c.name), []);
  assert.deepEqual(storage, []);
  for (const e of evs) {
    assert.equal(e.domain_userid, null);
    assert.equal(e.user_id, null);
    assert.equal(e.network_userid, '00000000-0000-0000-0000-000000000000');
    assert.ok(e.domain_sessionid);
    assert.equal(entity(e, 'client_session').userId, '00000000-0000-0000-0000-000000000000');
  }
});

test('cross-domain links carry _sp to the next page; browser_context rides along', async () => {
  await pl.reset();
  const ctx = await br.newContext();
  const pg = await ctx.newPage();
  await pg.goto(srv.base + '/xdomain.html');
  const [first] = (await pl.waitGood(1, 'page_view')).map((e) => e.event);
  const before = Date.now();
  await Promise.all([pg.waitForURL(/landing/), pg.click('#partner')]);
  const landed = pg.url();
  await pl.waitGood(2, 'page_view');
  const plainHref = await pg.goto(srv.base + '/xdomain.html').then(() => pg.getAttribute('#plain', 'href'));
  await ctx.close();
  const sp = new URL(landed).searchParams.get('_sp').split('.');
  assert.equal(new URL(landed).hash, '#top');
  assert.equal(new URL(landed).searchParams.get('from'), 'shop');
  assert.equal(sp[0], first.domain_userid);
  assert.deepEqual(sp.slice(2), ['', '', Buffer.from('e2e').toString('base64url'), 'web', '']);
  assert.equal(plainHref, '/landing.html', 'links the linker refuses stay as they are');
  const second = (await pl.good('page_view')).map((e) => e.event).find((e) => e.page_url.includes('_sp='));
  assert.ok(second, 'the landing page view carries _sp in its URL');
  assert.equal(second.refr_domain_userid, first.domain_userid);
  assert.ok(Math.abs(Date.parse(second.refr_dvce_tstamp) - before) < 60000, second.refr_dvce_tstamp);
  for (const e of [first, second]) {
    const bc = entity(e, 'browser_context');
    assert.ok(bc, 'browser_context on ' + e.page_url);
    assert.match(bc.viewport, /^\d+x\d+$/);
    assert.equal(typeof bc.cookiesEnabled, 'boolean');
    assert.match(bc.tabId, /^[0-9a-f-]{36}$/);
  }
  assert.equal(entity(first, 'browser_context').tabId, entity(second, 'browser_context').tabId, 'one tab, one id');
  assert.equal((await pl.counts()).bad, 0);
});

test('page pings with scroll offsets, link clicks and form events', async () => {
  await pl.reset();
  const ctx = await br.newContext();
  const pg = await ctx.newPage();
  await pg.goto(srv.base + '/interact.html');
  await pl.waitGood(1, 'page_view');
  await pg.mouse.move(10, 10);
  await pg.mouse.wheel(0, 600);
  await sleep(1300);
  await pg.mouse.move(30, 30);
  await pg.mouse.wheel(0, 300);
  await sleep(1300);
  const pings = (await pl.waitGood(1, 'page_ping')).map((e) => e.event);
  assert.ok(pings.some((p) => p.pp_yoffset_max >= 600), JSON.stringify(pings.map((p) => p.pp_yoffset_max)));
  await pg.evaluate(() => window.scrollTo(0, 0));
  await pg.click('#lnk');
  await pg.click('#email');
  await pg.fill('#email', 'a@b.test');
  await pg.click('#pw');
  await pg.fill('#pw', 'secret');
  await pg.selectOption('#plan', 'b');
  await pg.click('#go');
  await pl.waitGood(5, 'unstruct');
  await sleep(300);
  const ue = (await pl.good('unstruct')).map((e) => e.event);
  await ctx.close();
  const named = (n) => ue.filter((e) => e.event_name === n).map((e) => e.unstruct_event.data.data);
  const [click] = named('link_click');
  assert.equal(click.targetUrl, srv.base + '/interact.html#section');
  assert.equal(click.elementId, 'lnk');
  assert.deepEqual(click.elementClasses, ['nav', 'main']);
  assert.equal(click.elementContent, 'Go to section');
  assert.ok(named('focus_form').some((f) => f.elementId === 'email' && f.formId === 'signup'));
  assert.ok(named('change_form').some((f) => f.elementId === 'email' && f.value === 'a@b.test' && f.type === 'email'));
  assert.ok(named('change_form').some((f) => f.elementId === 'plan' && f.value === 'b'));
  const [submit] = named('submit_form');
  assert.equal(submit.formId, 'signup');
  assert.deepEqual(submit.elements.map((e) => [e.name, e.value]), [['email', 'a@b.test'], ['plan', 'b']]);
  assert.ok(!JSON.stringify(ue).includes('secret'));
  assert.equal((await pl.counts()).bad, 0);
});

test('timing, cart, social, ad, consent and button events, with the GDPR entity, are all good', async () => {
  await pl.reset();
  const ctx = await br.newContext();
  const pg = await ctx.newPage();
  await pg.goto(srv.base + '/more.html');
  await pg.click('#buy');
  await pg.evaluate(() => window.snowplow('flushBuffer'));
  const evs = (await pl.waitGood(10, 'unstruct')).map((e) => e.event);
  await ctx.close();
  const names = evs.map((e) => e.event_name).sort();
  assert.deepEqual(names, [
    'ad_click', 'ad_conversion', 'ad_impression', 'add_to_cart', 'button_click', 'consent_granted',
    'consent_withdrawn', 'remove_from_cart', 'social_interaction', 'timing',
  ]);
  const by = Object.fromEntries(evs.map((e) => [e.event_name, e]));
  assert.deepEqual(by.button_click.unstruct_event.data.data, { label: 'Buy now', id: 'buy', classes: ['cta'], name: 'buy' });
  assert.deepEqual(entity(by.consent_granted, 'consent_document'), { id: 'terms', version: '2', name: 'Terms', description: 'Our terms' });
  for (const e of evs)
    assert.deepEqual(entity(e, 'gdpr'), { basisForProcessing: 'consent', documentId: 'privacy', documentVersion: '3', documentDescription: null });
  assert.equal((await pl.counts()).bad, 0);
});

test('ecommerce transaction and items, site search and error tracking', async () => {
  await pl.reset();
  const ctx = await br.newContext();
  const pg = await ctx.newPage();
  pg.on('pageerror', () => {});
  await pg.goto(srv.base + '/extras.html');
  const evs = (await pl.waitGood(4)).map((e) => e.event);
  await ctx.close();
  const tr = evs.find((e) => e.event === 'transaction');
  assert.deepEqual([tr.tr_orderid, tr.tr_total, tr.tr_tax, tr.tr_shipping, tr.tr_currency, tr.tr_city], ['o-1', 30.5, 2, 3, 'GBP', 'London']);
  const ti = evs.find((e) => e.event === 'transaction_item');
  assert.deepEqual([ti.ti_orderid, ti.ti_sku, ti.ti_name, ti.ti_price, ti.ti_quantity], ['o-1', 'S1', 'Widget', 10.25, 2]);
  const ss = evs.find((e) => e.event_name === 'site_search');
  assert.deepEqual(ss.unstruct_event.data.data, { terms: ['blue', 'widget'], filters: { color: 'blue' }, totalResults: 7, pageResults: 5 });
  const err = evs.find((e) => e.event_name === 'application_error');
  assert.ok(err, JSON.stringify(evs.map((e) => e.event_name)));
  assert.equal(err.unstruct_event.data.data.programmingLanguage, 'JAVASCRIPT');
  assert.match(err.unstruct_event.data.data.message, /null|boom/);
  assert.equal((await pl.counts()).bad, 0);
});
