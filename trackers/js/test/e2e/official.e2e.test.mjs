// Snowplow's own browser tracker (@snowplow/browser-tracker, bundled here with esbuild) in
// headless Chromium against a real pyplow quickstart: pyplow must take real Snowplow traffic,
// POST and GET, as it comes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Pipeline, freePort, pageServer, browser, entity } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const VERSION = JSON.parse(
  readFileSync(resolve(here, '../../node_modules/@snowplow/browser-tracker/package.json'), 'utf8'),
).version;
let pl, srv, br;

/** The official tracker as one classic script that sets `window.officialSnowplow`. */
async function officialBundle() {
  const out = await build({
    stdin: {
      contents: "import * as sp from '@snowplow/browser-tracker'; window.officialSnowplow = sp;",
      resolveDir: resolve(here, '../..'),
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    target: 'es2019',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
}

function officialPage(bundle, collector, method) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Official – ${method}</title>
<script>${bundle}</script>
<script>
var sp = window.officialSnowplow;
sp.newTracker('official', ${JSON.stringify(collector)}, {
  appId: 'official-${method}', eventMethod: '${method}', contexts: { webPage: true, session: true },
});
sp.setUserId('u-official');
sp.trackPageView();
sp.trackStructEvent({ category: 'shop', action: 'add', label: 'Café ☕', value: 2.5 });
sp.trackSelfDescribingEvent({
  event: { schema: 'iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1', data: { targetUrl: 'https://x.test/' } },
  context: [{ schema: 'iglu:com.snowplowanalytics.snowplow/geolocation_context/jsonschema/1-1-0', data: { latitude: 1, longitude: 2 } }],
});
</script></head><body></body></html>`;
}

before(async () => {
  pl = new Pipeline(await freePort());
  await pl.start();
  const bundle = await officialBundle();
  srv = await pageServer({
    '/post.html': officialPage(bundle, pl.base, 'post'),
    '/get.html': officialPage(bundle, pl.base, 'get'),
  });
  br = await browser();
});

after(async () => {
  await br?.close();
  await srv?.close();
  await pl?.close();
});

for (const method of ['post', 'get']) {
  test(`Snowplow's browser tracker ${VERSION} over ${method.toUpperCase()}: every event good`, async () => {
    await pl.reset();
    const ctx = await br.newContext();
    const pg = await ctx.newPage();
    await pg.goto(`${srv.base}/${method}.html`);
    const evs = (await pl.waitGood(3)).map((e) => e.event);
    await ctx.close();
    const by = Object.fromEntries(evs.map((e) => [e.event, e]));
    const pv = by.page_view;
    assert.equal(pv.app_id, `official-${method}`);
    assert.equal(pv.v_tracker, `js-${VERSION}`);
    assert.equal(pv.user_id, 'u-official');
    assert.equal(pv.page_url, `${srv.base}/${method}.html`);
    assert.match(pv.domain_userid, /^[0-9a-f-]{36}$/);
    assert.match(pv.network_userid, /^[0-9a-f-]{36}$/, 'the collector cookie');
    assert.ok(entity(pv, 'web_page').id);
    assert.equal(entity(pv, 'client_session').sessionId, pv.domain_sessionid);
    const se = by.struct;
    assert.deepEqual([se.se_category, se.se_action, se.se_label, se.se_value], ['shop', 'add', 'Café ☕', 2.5]);
    const ue = by.unstruct;
    assert.equal(ue.event_name, 'link_click');
    assert.deepEqual(ue.unstruct_event.data.data, { targetUrl: 'https://x.test/' });
    assert.deepEqual(entity(ue, 'geolocation_context'), { latitude: 1, longitude: 2 });
    assert.ok(evs.every((e) => e.useragent && e.useragent.includes('Chrome')), 'user agent from the request');
    assert.equal((await pl.counts()).bad, 0);
  });
}
