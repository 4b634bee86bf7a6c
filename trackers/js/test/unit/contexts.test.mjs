import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GlobalContexts, matchRule, resolveContext } from '../../dist/internal.mjs';

const A = { schema: 'iglu:com.acme/a/jsonschema/1-0-0', data: { a: 1 } };
const B = { schema: 'iglu:com.acme/b/jsonschema/1-0-0', data: { b: 2 } };
const ev = (schema, e = 'ue') => ({ event: { e }, eventType: e, eventSchema: schema });

test('matchRule wildcards stay within one path segment', () => {
  assert.ok(matchRule('iglu:com.acme/*/jsonschema/1-*-*', 'iglu:com.acme/x/jsonschema/1-0-2'));
  assert.ok(!matchRule('iglu:com.acme/*/jsonschema/1-*-*', 'iglu:com.acme/x/jsonschema/2-0-0'));
  assert.ok(!matchRule('iglu:com.acme/*/jsonschema/1-0-0', 'iglu:com.acmeXx/y/jsonschema/1-0-0'));
});

test('plain, generated, filtered and rule-set contexts', () => {
  const g = new GlobalContexts();
  const gen = (e) => ({ schema: 'iglu:com.acme/gen/jsonschema/1-0-0', data: { t: e.eventType } });
  g.add([A, gen, [(e) => e.eventType === 'pv', B], [{ accept: 'iglu:com.acme/*/jsonschema/*-*-*' }, [B]]]);
  const pv = g.resolve(ev('iglu:com.snowplowanalytics.snowplow/page_view/jsonschema/1-0-0', 'pv'));
  assert.deepEqual(pv.map((x) => x.schema.split('/')[1]), ['a', 'gen', 'b']);
  assert.deepEqual(pv[1].data, { t: 'pv' });
  const ue = g.resolve(ev('iglu:com.acme/checkout/jsonschema/1-0-0'));
  assert.deepEqual(ue.map((x) => x.schema.split('/')[1]), ['a', 'gen', 'b']);
  g.remove([A, gen]);
  assert.equal(g.resolve(ev('iglu:x/y/jsonschema/1-0-0')).length, 0);
});

test('throwing generators and garbage are ignored', () => {
  assert.deepEqual(resolveContext(() => { throw new Error('x'); }, ev('s')), []);
  assert.deepEqual(resolveContext({ nope: 1 }, ev('s')), []);
  assert.deepEqual(resolveContext(() => [A, { bad: 1 }], ev('s')), [A]);
});
