import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

test('sp.js stays within its 10 KB min+gzip budget', () => {
  const bytes = gzipSync(readFileSync(new URL('../../dist/sp.js', import.meta.url)), { level: 9 }).length;
  assert.ok(bytes <= 10000, `sp.js is ${bytes} bytes min+gzip`);
});
