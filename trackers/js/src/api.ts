/**
 * The tag API: `snowplow('command[:tracker1;tracker2]', ...args)`, including the queue the
 * async snippet fills before sp.js has loaded.
 */
import { Tracker, TrackerConfig } from './tracker';
import { enableActivityTracking, enableActivityTrackingCallback, updatePageActivity } from './activity';
import { enableLinkClickTracking } from './links';
import { enableFormTracking } from './forms';
import { Cart, enableErrorTracking, trackError, trackSiteSearch } from './commerce';
import { IGLU } from './util';
import * as events from './events';

type Command = (t: Tracker, ...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Commands that are not plain Tracker methods. */
const carts = new WeakMap<Tracker, Cart>();
const cart = (t: Tracker): Cart => {
  let c = carts.get(t);
  if (!c) carts.set(t, (c = new Cart()));
  return c;
};

const COMMANDS: Record<string, Command> = {
  ...events,
  enableActivityTracking,
  enableActivityTrackingCallback,
  updatePageActivity,
  // link clicks are caught by one listener on the document: nothing to refresh
  refreshLinkClickTracking: () => undefined,
  enableLinkClickTracking,
  enableFormTracking,
  enableErrorTracking,
  trackError,
  trackSiteSearch,
  trackLinkClick: (t, o) =>
    t.trackSelfDescribingEvent({
      event: { schema: IGLU + 'link_click/jsonschema/1-0-1', data: strip(o) },
      context: o.context,
    }),
  addTrans: (t, o) => cart(t).addTrans(o),
  addItem: (t, o) => cart(t).addItem(o),
  trackTrans: (t) => cart(t).trackTrans(t),
  // older alias used by some snippets
  trackUnstructEvent: (t, o) => t.trackSelfDescribingEvent(o),
};

function strip(o: Record<string, unknown>): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const k in o) if (k !== 'context' && k !== 'timestamp' && o[k] != null) d[k] = o[k];
  return d;
}

/** All trackers created on this page, by namespace. */
export const trackers: Record<string, Tracker> = {};

/** Create (or return the existing) tracker `name` sending to `endpoint`. */
export function newTracker(name: string, endpoint: string, config?: TrackerConfig): Tracker {
  if (!trackers[name]) trackers[name] = new Tracker(name, endpoint, config || {});
  return trackers[name];
}

/**
 * Run one tag command. Errors thrown by page-supplied callbacks or bad arguments are caught:
 * a broken tag must never break the page.
 */
export function run(command: unknown, ...args: unknown[]): void {
  try {
    if (typeof command === 'function') {
      command.call(trackers, trackers);
      return;
    }
    if (typeof command !== 'string') return;
    const [name, names] = command.split(':');
    if (name === 'newTracker') {
      newTracker(args[0] as string, args[1] as string, args[2] as TrackerConfig);
      return;
    }
    const targets = names ? names.split(';').map((n) => trackers[n]).filter(Boolean) : Object.keys(trackers).map((n) => trackers[n]);
    for (const t of targets) {
      const extra = COMMANDS[name];
      if (extra) extra(t, ...args);
      else {
        const m = (t as unknown as Record<string, unknown>)[name];
        if (typeof m === 'function' && name !== 'constructor' && name !== 'track')
          (m as (...a: unknown[]) => void).apply(t, args);
      }
    }
  } catch (e) {
    if (typeof console !== 'undefined') console.warn('snowplow: command failed', command, e);
  }
}

type Snippet = ((...a: unknown[]) => void) & { q?: ArrayLike<unknown>[] };

/** Replace each snippet function named in GlobalSnowplowNamespace and replay its queue. */
export function installGlobal(w: Window & Record<string, unknown>): void {
  const names = (w.GlobalSnowplowNamespace as string[] | undefined) || ['snowplow'];
  for (const n of names) {
    const prev = w[n] as Snippet | undefined;
    const queued = (prev && prev.q) || [];
    const api: Snippet = (...a: unknown[]) => run(a[0], ...a.slice(1));
    w[n] = api;
    for (let i = 0; i < queued.length; i++) {
      const a = Array.prototype.slice.call(queued[i]) as unknown[];
      run(a[0], ...a.slice(1));
    }
  }
}
