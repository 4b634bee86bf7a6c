/** Small helpers shared by every module: ids, time, base64url, JSON envelopes. */

/** A self-describing JSON value: an Iglu schema URI and the data it describes. */
export interface SelfDescribingJson {
  schema: string;
  data: unknown;
}

/** Wire parameters of one event: every value is a string, empty values are never stored. */
export type Payload = Record<string, string>;

export const IGLU = 'iglu:com.snowplowanalytics.snowplow/';
export const CONTEXTS_SCHEMA = IGLU + 'contexts/jsonschema/1-0-0';
export const UNSTRUCT_SCHEMA = IGLU + 'unstruct_event/jsonschema/1-0-0';
export const PAYLOAD_SCHEMA = IGLU + 'payload_data/jsonschema/1-0-4';

/** Random RFC 4122 version-4 UUID (crypto when available). */
export function uuid(): string {
  const c = typeof crypto !== 'undefined' ? crypto : undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  let h = '';
  for (let i = 0; i < 16; i++) {
    h += (b[i] + 256).toString(16).slice(1);
    if (i === 3 || i === 5 || i === 7 || i === 9) h += '-';
  }
  return h;
}

export const now = (): number => Date.now();

/** UTF-8 encode then base64 with the URL-safe alphabet and no padding. */
export function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Set `key` only when the value is present and non-empty (the protocol omits empty values). */
export function put(p: Payload, key: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') p[key] = String(value);
}

/** Attach JSON under the plain or base64url key, as the tracker config asks. */
export function putJson(
  p: Payload,
  plainKey: string,
  encodedKey: string,
  value: unknown,
  encode: boolean,
): void {
  const text = JSON.stringify(value);
  if (encode) p[encodedKey] = base64url(text);
  else p[plainKey] = text;
}

/** The element matching `selector` that an event's target is, or is inside of (null if none). */
export function closestTo<T extends Element>(e: Event, selector: string): T | null {
  const target = e.target as Element | null;
  return target && target.closest ? (target.closest(selector) as T | null) : null;
}

/** What link listeners look for: anchors and image-map areas with a destination. */
export const LINKS = 'a[href],area[href]';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `v` looks like `{schema: "iglu:...", data: ...}`. */
export const isSelfDescribing = (v: unknown): v is SelfDescribingJson =>
  isObject(v) && typeof v.schema === 'string' && v.schema.indexOf('iglu:') === 0 && 'data' in v;

/** SHA-1 hex digest of an ASCII/UTF-8 string (used only for the cookie-name suffix). */
export function sha1(text: string): string {
  const m = new TextEncoder().encode(text);
  const len = m.length;
  const words: number[] = [];
  for (let i = 0; i < len; i++) words[i >> 2] |= m[i] << (24 - (i % 4) * 8);
  words[len >> 2] |= 0x80 << (24 - (len % 4) * 8);
  const total = (((len + 8) >> 6) + 1) * 16;
  for (let i = words.length; i < total; i++) words[i] = words[i] | 0;
  words[total - 1] = len * 8;
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w: number[] = [];
  for (let off = 0; off < total; off += 16) {
    let [a, b, c, d, e] = h;
    for (let t = 0; t < 80; t++) {
      w[t] =
        t < 16 ? words[off + t] | 0 : rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
      const f =
        t < 20 ? (b & c) | (~b & d) : t < 40 ? b ^ c ^ d : t < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const tmp = (rotl(a, 5) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = tmp;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
