// Print raw, minified and min+gzip byte counts of the built bundles.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
for (const f of ['dist/sp.js', 'dist/sp.mjs']) {
  const b = readFileSync(new URL('../' + f, import.meta.url));
  console.log(`${f}: min ${b.length} bytes, min+gzip ${gzipSync(b, { level: 9 }).length} bytes`);
}
