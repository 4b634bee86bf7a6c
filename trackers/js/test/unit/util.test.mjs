import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { base64url, sha1, uuid, put, putJson, isSelfDescribing } from '../../dist/internal.mjs';

test('uuid is a v4 UUID and unique', () => {
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const u = uuid();
    assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(u);
  }
  assert.equal(seen.size, 200);
});

test('base64url matches node for random unicode strings and has no padding', () => {
  const alphabet = 'aé☕𝄞/+=?-_ \u0000"{}';
  for (let i = 0; i < 300; i++) {
    let s = '';
    const n = Math.floor(Math.random() * 40);
    for (let j = 0; j < n; j++) s += [...alphabet][Math.floor(Math.random() * [...alphabet].length)];
    const ours = base64url(s);
    assert.equal(ours, Buffer.from(s, 'utf8').toString('base64url'));
    assert.equal(Buffer.from(ours, 'base64url').toString('utf8'), s);
    assert.doesNotMatch(ours, /[=+/]/);
  }
});

test('sha1 agrees with node crypto, and the cookie suffix for 127.0.0.1 is dc78', () => {
  for (const s of ['', 'abc', '127.0.0.1/', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(200), 'é☕']) {
    assert.equal(sha1(s), createHash('sha1').update(s, 'utf8').digest('hex'), s);
  }
  assert.equal(sha1('127.0.0.1/').slice(0, 4), 'dc78');
});

test('put skips empty values; putJson encodes when asked', () => {
  const p = {};
  put(p, 'a', '');
  put(p, 'b', null);
  put(p, 'c', undefined);
  put(p, 'd', 0);
  put(p, 'e', 'x');
  assert.deepEqual(p, { d: '0', e: 'x' });
  putJson(p, 'co', 'cx', { k: 'é' }, false);
  putJson(p, 'co', 'cx', { k: 'é' }, true);
  assert.equal(p.co, '{"k":"é"}');
  assert.equal(Buffer.from(p.cx, 'base64url').toString(), '{"k":"é"}');
});

test('isSelfDescribing', () => {
  assert.ok(isSelfDescribing({ schema: 'iglu:a/b/jsonschema/1-0-0', data: {} }));
  assert.ok(!isSelfDescribing({ schema: 'a/b', data: {} }));
  assert.ok(!isSelfDescribing({ schema: 'iglu:a/b/jsonschema/1-0-0' }));
  assert.ok(!isSelfDescribing(null));
});
