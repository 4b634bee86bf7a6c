/** Ecommerce transactions and items (`tr` / `ti`), site search and error tracking. */
import type { Tracker, CommonEvent } from './tracker';
import { IGLU, Payload, put } from './util';

export interface Transaction extends CommonEvent {
  orderId: string;
  total: number;
  affiliation?: string;
  tax?: number;
  shipping?: number;
  city?: string;
  state?: string;
  country?: string;
  currency?: string;
}

export interface Item extends CommonEvent {
  orderId: string;
  sku: string;
  name?: string;
  category?: string;
  price: number;
  quantity?: number;
  currency?: string;
}

/** Holds one pending transaction and its items until `trackTrans`. */
export class Cart {
  trans: Transaction | undefined;
  items: Item[] = [];

  addTrans(t: Transaction): void {
    this.trans = t;
    this.items = [];
  }

  addItem(i: Item): void {
    this.items.push(i);
  }

  /** Send the transaction then one `ti` event per item, and empty the cart. */
  trackTrans(t: Tracker): void {
    const tr = this.trans;
    if (tr) {
      const p: Payload = { e: 'tr' };
      put(p, 'tr_id', tr.orderId);
      put(p, 'tr_af', tr.affiliation);
      put(p, 'tr_tt', tr.total);
      put(p, 'tr_tx', tr.tax);
      put(p, 'tr_sh', tr.shipping);
      put(p, 'tr_ci', tr.city);
      put(p, 'tr_st', tr.state);
      put(p, 'tr_co', tr.country);
      put(p, 'tr_cu', tr.currency);
      t.track(p, tr, IGLU + 'transaction/jsonschema/1-0-0');
    }
    for (const it of this.items) {
      const p: Payload = { e: 'ti' };
      put(p, 'ti_id', it.orderId);
      put(p, 'ti_sk', it.sku);
      put(p, 'ti_nm', it.name);
      put(p, 'ti_ca', it.category);
      put(p, 'ti_pr', it.price);
      put(p, 'ti_qu', it.quantity === undefined ? 1 : it.quantity);
      put(p, 'ti_cu', it.currency);
      t.track(p, it, IGLU + 'transaction_item/jsonschema/1-0-0');
    }
    this.trans = undefined;
    this.items = [];
  }
}

export interface SiteSearch extends CommonEvent {
  terms: string[];
  filters?: Record<string, string | boolean>;
  totalResults?: number;
  pageResults?: number;
}

/** `site_search` 1-0-0. */
export function trackSiteSearch(t: Tracker, s: SiteSearch): void {
  const data: Record<string, unknown> = { terms: s.terms };
  if (s.filters) data.filters = s.filters;
  if (s.totalResults !== undefined) data.totalResults = s.totalResults;
  if (s.pageResults !== undefined) data.pageResults = s.pageResults;
  t.trackSelfDescribingEvent({ event: { schema: IGLU + 'site_search/jsonschema/1-0-0', data }, context: s.context });
}

export interface ErrorInfo extends CommonEvent {
  message: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  error?: unknown;
}

const cut = (s: string, n: number): string => (s.length > n ? s.slice(0, n) : s);

/** `application_error` 1-0-1 for a caught or uncaught JavaScript error. */
export function trackError(t: Tracker, e: ErrorInfo): void {
  const err = e.error as { stack?: unknown; name?: unknown } | undefined;
  const data: Record<string, unknown> = {
    programmingLanguage: 'JAVASCRIPT',
    message: cut(String(e.message || 'JS Exception. Browser did not provide a message'), 2048),
  };
  if (err && typeof err.stack === 'string') data.stackTrace = cut(err.stack, 8192);
  if (err && typeof err.name === 'string') data.exceptionName = cut(err.name, 1024);
  if (e.filename) data.fileName = cut(e.filename, 1024);
  if (typeof e.lineno === 'number') data.lineNumber = e.lineno;
  if (typeof e.colno === 'number') data.lineColumn = e.colno;
  data.isFatal = true;
  t.trackSelfDescribingEvent({ event: { schema: IGLU + 'application_error/jsonschema/1-0-1', data }, context: e.context });
}

/** Track uncaught errors reported to `window.onerror`. */
export function enableErrorTracking(t: Tracker, o: CommonEvent & { filter?: (e: ErrorEvent) => boolean } = {}): void {
  window.addEventListener('error', (ev: ErrorEvent) => {
    if (o.filter && !o.filter(ev)) return;
    trackError(t, { message: ev.message, filename: ev.filename, lineno: ev.lineno, colno: ev.colno, error: ev.error, context: o.context });
  });
}
