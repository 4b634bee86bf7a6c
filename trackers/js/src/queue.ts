/**
 * Outbound queue: batching, persistence in localStorage, retry with exponential backoff,
 * GET / POST / beacon transports. Events leave the queue only once a request carrying them
 * was answered with a 2xx (or a status that retrying cannot fix).
 */
import { PAYLOAD_SCHEMA, Payload } from './util';
import { local } from './storage';

export type EventMethod = 'post' | 'get' | 'beacon';

export interface QueueOptions {
  endpoint: string;
  method: EventMethod;
  postPath: string;
  bufferSize: number;
  maxPostBytes: number;
  storageKey: string | null;
  serverAnonymous: () => boolean;
  credentials: RequestCredentials;
  /** First retry delay in ms; doubles per consecutive failure up to maxRetryDelay. */
  retryDelay: number;
  maxRetryDelay: number;
  maxQueueSize: number;
}

/** Statuses after which sending the same bytes again cannot succeed. */
const NO_RETRY = [400, 401, 403, 410, 422];

/** Normalise "host", "//host" or "http://host/" to an origin-like base without a slash. */
export function endpointBase(endpoint: string): string {
  let e = endpoint.trim().replace(/\/+$/, '');
  if (e.indexOf('//') === 0) e = location.protocol + e;
  else if (!/^https?:\/\//i.test(e)) e = 'https://' + e;
  return e;
}

/** The querystring of a GET request, `stm` first as the JS tracker sends it. */
export function getQuery(p: Payload, stm: number): string {
  let q = 'stm=' + stm;
  for (const k in p) q += '&' + encodeURIComponent(k) + '=' + encodeURIComponent(p[k]);
  return q;
}

/** The POST body for a batch: payload_data 1-0-4 with one shared `stm`. */
export function postBody(batch: Payload[], stm: number): string {
  const s = String(stm);
  return JSON.stringify({ schema: PAYLOAD_SCHEMA, data: batch.map((p) => ({ ...p, stm: s })) });
}

const byteLength = (s: string): number => new TextEncoder().encode(s).length;

/** Split off the head of the queue that fits in maxBytes (always at least one event). */
export function takeBatch(queue: Payload[], maxBytes: number): Payload[] {
  const batch: Payload[] = [];
  let size = 88; // envelope overhead
  for (const p of queue) {
    const n = byteLength(JSON.stringify(p)) + 24;
    if (batch.length && size + n > maxBytes) break;
    batch.push(p);
    size += n;
  }
  return batch;
}

export class OutQueue {
  queue: Payload[];
  private inFlight = 0;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private base: string;

  constructor(public o: QueueOptions) {
    this.base = endpointBase(o.endpoint);
    this.queue = this.restore();
    if (typeof window !== 'undefined' && window.addEventListener) {
      window.addEventListener('online', () => this.retryNow());
      const hide = (): void => this.onHide();
      window.addEventListener('pagehide', hide);
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'hidden') hide();
      });
    }
    if (this.queue.length) this.schedule(0);
  }

  /** Send from now on to another collector (queued events go there too). */
  setEndpoint(endpoint: string): void {
    this.o.endpoint = endpoint;
    this.base = endpointBase(endpoint);
  }

  private restore(): Payload[] {
    if (!this.o.storageKey) return [];
    try {
      const v: unknown = JSON.parse(local.get(this.o.storageKey) || '[]');
      return Array.isArray(v) ? (v as Payload[]).filter((x) => x && typeof x === 'object') : [];
    } catch {
      return [];
    }
  }

  private persist(): void {
    if (this.o.storageKey) local.set(this.o.storageKey, JSON.stringify(this.queue));
  }

  /** Add one event; send when the buffer is full (GET sends every event at once). */
  enqueue(p: Payload): void {
    this.queue.push(p);
    if (this.queue.length > this.o.maxQueueSize) this.queue.shift();
    this.persist();
    if (this.o.method === 'get' || this.queue.length >= this.o.bufferSize) this.flush();
  }

  /** Send what is queued (honouring an active backoff only when not forced). */
  flush(): void {
    if (this.timer === undefined) this.send();
  }

  private retryNow(): void {
    this.failures = 0;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, delay);
  }

  private send(): void {
    if (this.inFlight || !this.queue.length) return;
    const batch = this.o.method === 'get' ? [this.queue[0]] : takeBatch(this.queue, this.o.maxPostBytes);
    this.inFlight = batch.length;
    this.request(batch, false).then(
      (status) => this.done(batch, status),
      () => this.done(batch, 0),
    );
  }

  private done(batch: Payload[], status: number): void {
    this.inFlight = 0;
    if ((status >= 200 && status < 300) || NO_RETRY.indexOf(status) >= 0) {
      this.failures = 0;
      this.queue = this.queue.filter((p) => batch.indexOf(p) < 0);
      this.persist();
      if (this.queue.length) this.send();
      return;
    }
    this.failures++;
    const delay = Math.min(this.o.maxRetryDelay, this.o.retryDelay * 2 ** (this.failures - 1));
    this.schedule(delay * (0.75 + Math.random() * 0.5));
  }

  /** One HTTP request; resolves with its status (0 when the network failed). */
  private request(batch: Payload[], unloading: boolean): Promise<number> {
    const stm = Date.now();
    const anon = this.o.serverAnonymous();
    if (this.o.method === 'get' || typeof fetch !== 'function') {
      const url = this.base + '/i?' + getQuery(batch[0], stm);
      if (typeof fetch !== 'function') {
        new Image().src = url;
        return Promise.resolve(200);
      }
      return fetch(url, {
        credentials: this.o.credentials,
        keepalive: unloading,
        headers: anon ? { 'SP-Anonymous': '*' } : undefined,
      }).then((r) => r.status);
    }
    const body = postBody(batch, stm);
    const url = this.base + this.o.postPath;
    if ((this.o.method === 'beacon' || unloading) && !anon && navigator.sendBeacon) {
      const ok = navigator.sendBeacon(url, new Blob([body], { type: 'application/json' }));
      if (ok) return Promise.resolve(200);
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
    if (anon) headers['sp-anonymous'] = '*';
    return fetch(url, {
      method: 'POST',
      body,
      headers,
      credentials: this.o.credentials,
      keepalive: body.length < 60000,
    }).then((r) => r.status);
  }

  /**
   * Page is going away: hand what is queued to the browser with sendBeacon. Skipped while the
   * collector is failing (a beacon cannot report failure), so those events stay persisted and
   * the next page sends them.
   */
  private onHide(): void {
    if (this.failures || this.inFlight || !this.queue.length) return;
    if (this.o.method === 'get') return; // GETs are sent immediately; keep queue for next page
    while (this.queue.length) {
      const batch = takeBatch(this.queue, this.o.maxPostBytes);
      if (this.o.serverAnonymous() || !navigator.sendBeacon) {
        this.flush();
        return;
      }
      const ok = navigator.sendBeacon(
        this.base + this.o.postPath,
        new Blob([postBody(batch, Date.now())], { type: 'application/json' }),
      );
      if (!ok) return;
      this.queue = this.queue.slice(batch.length);
      this.persist();
    }
  }
}
