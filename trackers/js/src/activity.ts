/** Activity tracking: page pings carrying the scroll range seen since the previous ping. */
import type { Tracker, CommonEvent } from './tracker';
import { IGLU, Payload } from './util';

export interface ActivityOptions {
  /** Seconds after the page view before the first ping may be sent. */
  minimumVisitLength: number;
  /** Seconds between pings while the visitor is active. */
  heartbeatDelay: number;
}

const ACTIVITY_EVENTS = ['click', 'mouseup', 'mousedown', 'mousemove', 'keypress', 'keydown', 'touchstart', 'scroll', 'wheel'];

/** Scroll offsets seen since the last reset. */
export class ScrollRange {
  minX = 0;
  maxX = 0;
  minY = 0;
  maxY = 0;

  reset(x: number, y: number): void {
    this.minX = this.maxX = x;
    this.minY = this.maxY = y;
  }

  update(x: number, y: number): void {
    this.minX = Math.min(this.minX, x);
    this.maxX = Math.max(this.maxX, x);
    this.minY = Math.min(this.minY, y);
    this.maxY = Math.max(this.maxY, y);
  }

  /** The page-ping fields; zero offsets are left out as the JS tracker does. */
  fields(p: Payload): void {
    const add = (k: string, v: number): void => {
      if (Math.round(v)) p[k] = String(Math.round(v));
    };
    add('pp_mix', this.minX);
    add('pp_max', this.maxX);
    add('pp_miy', this.minY);
    add('pp_may', this.maxY);
  }
}

const scroll = (): [number, number] => [window.pageXOffset || 0, window.pageYOffset || 0];

/** What `enableActivityTrackingCallback` hands its callback instead of sending a ping. */
export interface ActivityCallbackData {
  pageViewId: string;
  minXOffset: number;
  maxXOffset: number;
  minYOffset: number;
  maxYOffset: number;
}

const activityMarks = new WeakMap<Tracker, () => void>();

/** Count activity now, as a scroll or a click would (`updatePageActivity`). */
export function updatePageActivity(t: Tracker): void {
  const mark = activityMarks.get(t);
  if (mark) mark();
}

/** Wire activity tracking into `t`; pings start with the next page view. */
export function enableActivityTracking(t: Tracker, o: ActivityOptions & CommonEvent): void {
  watchActivity(t, o, (range) => {
    const p: Payload = { e: 'pp' };
    p.url = t.customUrl || location.href;
    const title = t.title || document.title;
    if (title) p.page = title;
    range.fields(p);
    t.track(p, { context: o.context }, IGLU + 'page_ping/jsonschema/1-0-0');
  });
}

/** As `enableActivityTracking`, but each heartbeat calls `callback` instead of sending a ping. */
export function enableActivityTrackingCallback(
  t: Tracker,
  o: ActivityOptions & { callback: (d: ActivityCallbackData) => void },
): void {
  if (typeof o.callback !== 'function') return;
  watchActivity(t, o, (r) => {
    const d = { pageViewId: t.pageViewId, minXOffset: r.minX, maxXOffset: r.maxX, minYOffset: r.minY, maxYOffset: r.maxY };
    try {
      o.callback(d);
    } catch {
      /* a failing page callback must not stop the heartbeat */
    }
  });
}

/** Run `beat` with the scroll range at each heartbeat during which the visitor was active. */
function watchActivity(t: Tracker, o: ActivityOptions, beat: (range: ScrollRange) => void): void {
  const minMs = Math.max(0, (o.minimumVisitLength || 0) * 1000);
  const beatMs = Math.max(500, (o.heartbeatDelay || 10) * 1000);
  const range = new ScrollRange();
  let lastActivity = 0;
  let lastPing = 0;
  let timers: Array<ReturnType<typeof setTimeout>> = [];
  const mark = (): void => {
    lastActivity = Date.now();
    range.update(...scroll());
  };
  activityMarks.set(t, mark);
  for (const e of ACTIVITY_EVENTS) document.addEventListener(e, mark, { passive: true, capture: true });
  window.addEventListener('scroll', mark, { passive: true });
  const ping = (): void => {
    if (lastActivity <= lastPing) return;
    lastPing = Date.now();
    beat(range);
    range.reset(...scroll());
  };
  t.onPageView.push(() => {
    timers.forEach(clearTimeout);
    timers.forEach(clearInterval);
    lastActivity = 0;
    lastPing = Date.now();
    range.reset(...scroll());
    timers = [
      setTimeout(() => {
        ping();
        timers.push(setInterval(ping, beatMs));
      }, minMs),
    ];
  });
}
