// Collector down, then up: queued events are delivered exactly once, also across a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline, freePort, page, pageServer, browser, sleep } from './harness.mjs';

test('events tracked while the collector is down arrive once after it comes back', async () => {
  const pl = new Pipeline(await freePort());
  const srv = await pageServer({
    '/down.html': page(pl.base, `
      snowplow('newTracker','sp',COLLECTOR,{appId:'outage',retryDelay:300,maxRetryDelay:1500});
      snowplow('trackPageView');
      for (var i = 0; i < 5; i++) snowplow('trackStructEvent',{category:'outage',action:'a'+i});`),
    '/next.html': page(pl.base, `snowplow('newTracker','sp',COLLECTOR,{appId:'outage'});
      snowplow('trackStructEvent',{category:'outage',action:'next-page'});`),
  });
  const br = await browser();
  try {
    const ctx = await br.newContext();
    const pg = await ctx.newPage();
    await pg.goto(srv.base + '/down.html');
    await sleep(2000);
    const queued = await pg.evaluate(() => JSON.parse(localStorage.getItem('snowplowOutQueue_sp_post') || '[]').length);
    assert.equal(queued, 6);
    // navigate while still down: the queue must survive in localStorage
    await pg.goto(srv.base + '/next.html');
    await sleep(500);
    await pl.start();
    const evs = (await pl.waitGood(7, undefined, 20000)).map((e) => e.event);
    await sleep(2500);
    const all = (await pl.good()).map((e) => e.event);
    assert.equal(all.length, 7, JSON.stringify(all.map((e) => e.se_action)));
    assert.equal(new Set(all.map((e) => e.event_id)).size, 7);
    assert.deepEqual(all.filter((e) => e.event === 'struct').map((e) => e.se_action).sort(), ['a0', 'a1', 'a2', 'a3', 'a4', 'next-page']);
    assert.ok(evs.every((e) => e.app_id === 'outage'));
    assert.equal(await pg.evaluate(() => JSON.parse(localStorage.getItem('snowplowOutQueue_sp_post')).length), 0);
    await ctx.close();
  } finally {
    await br.close();
    await srv.close();
    await pl.close();
  }
});
