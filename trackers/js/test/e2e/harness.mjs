// E2E harness: a real `pyplow quickstart` (collector + enrich + Micro API) on a free port, a
// tiny static server for the test pages on another port, and headless Debian Chromium.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
const SP_JS = resolve(here, '../../dist/sp.js');
const PYPLOW = process.env.PYPLOW || join(repo, '.venv/bin/pyplow');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** A running quickstart; `stop()` kills it, `start()` brings it back on the same port. */
export class Pipeline {
  constructor(port) {
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.dir = mkdtempSync(join(tmpdir(), 'pyplow-e2e-'));
    this.proc = null;
    this.log = '';
  }

  async start() {
    const data = mkdtempSync(join(this.dir, 'data-'));
    this.proc = spawn(PYPLOW, ['quickstart', '--host', '127.0.0.1', '--port', String(this.port), '--data-dir', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b) => (this.log = (this.log + b).slice(-4000));
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    for (let i = 0; i < 200; i++) {
      try {
        const r = await fetch(this.base + '/micro/all');
        if (r.ok) return;
      } catch {
        /* not up yet */
      }
      if (this.proc.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error('pyplow quickstart did not start:\n' + this.log);
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const p = this.proc;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (p.exitCode === null) p.kill('SIGKILL');
    await exited;
  }

  async good(eventType) {
    const q = eventType ? `?event_type=${eventType}` : '';
    return (await fetch(this.base + '/micro/good' + q)).json();
  }

  async counts() {
    return (await fetch(this.base + '/micro/all')).json();
  }

  async reset() {
    await fetch(this.base + '/micro/reset');
  }

  /** Poll until `n` good events (of a type) have arrived; returns them. */
  async waitGood(n, eventType, timeoutMs = 15000) {
    const end = Date.now() + timeoutMs;
    let got = [];
    while (Date.now() < end) {
      got = await this.good(eventType);
      if (got.length >= n) return got;
      await sleep(200);
    }
    const all = await this.counts();
    const bad = await (await fetch(this.base + '/micro/bad')).json();
    throw new Error(`expected ${n} good ${eventType || ''} events, got ${got.length}; ${JSON.stringify(all)} bad=${JSON.stringify(bad).slice(0, 2000)}`);
  }

  async close() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The page HTML: the async snippet, then `body` commands (string of JS), then `html`. */
export function page(collector, commands, html = '') {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>E2E shop – Café</title>
<script>
(function (win, doc, src, name) {
  // Queue calls under \`name\` until the tracker loads, and register the name for it.
  if (win[name]) return;
  (win.GlobalSnowplowNamespace = win.GlobalSnowplowNamespace || []).push(name);
  var queue = function () { queue.q.push(arguments); };
  queue.q = [];
  win[name] = queue;
  var tag = doc.createElement('script');
  tag.async = true;
  tag.src = src;
  doc.head.appendChild(tag);
})(window, document, "/sp.js", "snowplow");
var COLLECTOR = ${JSON.stringify(collector)};
${commands}
</script></head><body style="min-height:4000px">${html}</body></html>`;
}

/** Static server: `/sp.js` is the built bundle, `/<name>.html` comes from `pages`. */
export async function pageServer(pages) {
  const port = await freePort();
  const srv = createServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/sp.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end(readFileSync(SP_JS));
    } else if (pages[path]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pages[path]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => srv.close(r)) };
}

export async function browser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The entity data of a given schema name in an enriched event's contexts. */
export function entity(ev, name) {
  const list = (ev.contexts && ev.contexts.data) || [];
  const e = list.find((c) => c.schema.split('/')[1] === name);
  return e && e.data;
}
