import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, parseId, serializeId, freshId, memoryStore, cookieSuffix } from '../../dist/internal.mjs';

const REAL = '24a3aea9-c8dd-4d81-accb-d01d7673bdeb.1795818819.1.1795818819..4f8ecdb7-b9a4-4a2c-97ef-ee46967e701e..033d5e66-fcaf-4aaa-80b3-68f3442226cf.1795818818546.6';

test('parses and re-serialises a Snowplow id cookie value exactly', () => {
  const s = parseId(REAL);
  assert.equal(s.duid, '24a3aea9-c8dd-4d81-accb-d01d7673bdeb');
  assert.equal(s.vid, 1);
  assert.equal(s.sid, '4f8ecdb7-b9a4-4a2c-97ef-ee46967e701e');
  assert.equal(s.prev, '');
  assert.equal(s.idx, 6);
  assert.equal(serializeId(s), REAL);
});

test('rejects values that are not id cookies', () => {
  assert.equal(parseId(''), undefined);
  assert.equal(parseId(undefined), undefined);
  assert.equal(parseId('abc'), undefined);
});

test('round trip of random states', () => {
  for (let i = 0; i < 100; i++) {
    const s = freshId(Date.now() + i * 1e6, i % 2 === 0);
    s.vid = i;
    s.idx = i * 3;
    assert.deepEqual(parseId(serializeId(s)), s);
  }
});

test('session: index increments, new session after expiry keeps duid and links previous', () => {
  const store = memoryStore();
  const ses = new Session(store, '_sp_id.x', '_sp_ses.x', 1800, false);
  const a = ses.next('e1', 1000);
  const b = ses.next('e2', 2000);
  assert.equal(a.vid, 1);
  assert.equal(b.sid, a.sid);
  assert.equal(b.idx, 2);
  assert.equal(b.firstEid, 'e1');
  ses.expire();
  const c = ses.next('e3', 3000);
  assert.equal(c.vid, 2);
  assert.notEqual(c.sid, a.sid);
  assert.equal(c.prev, a.sid);
  assert.equal(c.duid, a.duid);
  assert.equal(c.idx, 1);
  assert.equal(c.firstEid, 'e3');
  const ctx = ses.context(c, 'COOKIE_1');
  assert.equal(ctx.schema, 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2');
  assert.deepEqual(ctx.data, {
    userId: a.duid, sessionId: c.sid, eventIndex: 1, sessionIndex: 2, previousSessionId: a.sid,
    storageMechanism: 'COOKIE_1', firstEventId: 'e3', firstEventTimestamp: new Date(3000).toISOString(),
  });
});

test('anonymous session has no domain user id', () => {
  const ses = new Session(memoryStore(), 'i', 's', 1800, true);
  const s = ses.next('e', 1);
  assert.equal(s.duid, '');
  assert.equal(ses.context(s, 'COOKIE_1').data.userId, '00000000-0000-0000-0000-000000000000');
});

test('cookie suffix', () => assert.equal(cookieSuffix('127.0.0.1'), 'dc78'));
