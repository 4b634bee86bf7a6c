// Build dist/sp.js (minified IIFE for the tag) and dist/sp.mjs (ES module), then copy sp.js
// into the Python package so the collector serves it at /sp.js.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const common = { bundle: true, minify: true, target: 'es2019', legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: [resolve(root, 'src/browser.ts')], format: 'iife', outfile: resolve(root, 'dist/sp.js') });
await build({ ...common, entryPoints: [resolve(root, 'src/index.ts')], format: 'esm', outfile: resolve(root, 'dist/sp.mjs') });
const shipped = resolve(root, '../../src/pyplow/collector/static/sp.js');
mkdirSync(dirname(shipped), { recursive: true });
copyFileSync(resolve(root, 'dist/sp.js'), shipped);
await build({ bundle: true, format: 'esm', target: 'es2019', entryPoints: [resolve(root, 'src/internal.ts')], outfile: resolve(root, 'dist/internal.mjs'), logLevel: 'warning' });
