/** One named tracker: builds events with the common fields and hands them to its queue. */
import {
  CONTEXTS_SCHEMA,
  IGLU,
  Payload,
  SelfDescribingJson,
  UNSTRUCT_SCHEMA,
  now,
  put,
  putJson,
  uuid,
} from './util';
import { StorageStrategy, discoverRootDomain, getCookie, memoryStore, stateStore } from './storage';
import { Session, cookieSuffix } from './session';
import { EventMethod, OutQueue } from './queue';
import { GlobalContext, GlobalContexts } from './contexts';
import { browserContext, documentSize } from './browserctx';
import { ExtendedLinkerOptions, LinkElement, listenForCrossDomainLinks } from './crossdomain';

export const VERSION = 'js-pyplow-0.1.0';

export interface AnonymousOptions {
  withSessionTracking?: boolean;
  withServerAnonymisation?: boolean;
}

/** The `newTracker` configuration (the subset of Snowplow's options pyplow implements). */
export interface TrackerConfig {
  appId?: string;
  platform?: string;
  cookieDomain?: string;
  discoverRootDomain?: boolean;
  cookieName?: string;
  cookieSameSite?: 'Lax' | 'Strict' | 'None';
  cookieSecure?: boolean;
  cookieLifetime?: number;
  sessionCookieTimeout?: number;
  eventMethod?: EventMethod;
  postPath?: string;
  bufferSize?: number;
  maxPostBytes?: number;
  encodeBase64?: boolean;
  contexts?: { webPage?: boolean; session?: boolean; browser?: boolean };
  crossDomainLinker?: (link: LinkElement) => boolean;
  useExtendedCrossDomainLinker?: ExtendedLinkerOptions;
  anonymousTracking?: boolean | AnonymousOptions;
  stateStorageStrategy?: StorageStrategy;
  respectDoNotTrack?: boolean;
  withCredentials?: boolean;
  retryDelay?: number;
  maxRetryDelay?: number;
}

/** Options every track method accepts. */
export interface CommonEvent {
  context?: SelfDescribingJson[] | null;
  timestamp?: number | { type: 'dtm' | 'ttm'; value: number };
}

export class Tracker {
  readonly queue: OutQueue;
  readonly session: Session;
  readonly globals = new GlobalContexts();
  pageViewId = uuid();
  private pageViewSent = false;
  userId: string | undefined;
  customUrl: string | undefined;
  referrer: string | undefined;
  title: string | undefined;
  optOutCookie: string | undefined;
  /** The `gdpr` entity sent with every event once `enableGdprContext` has set it. */
  gdpr: SelfDescribingJson | undefined;
  /** Keep one page view id for every page view of this page (`preservePageViewId`). */
  private keepPageViewId = false;
  private cookiePrefix: string;
  private cookieSuffix: string;
  /** Picks the links that get `_sp` (cross-domain linking); none while undefined. */
  linker: ((link: LinkElement) => boolean) | undefined;
  private anon: AnonymousOptions | false;
  private mechanism: string;
  /** Listeners run after a page view is built (activity tracking resets here). */
  onPageView: Array<() => void> = [];

  constructor(
    readonly namespace: string,
    endpoint: string,
    readonly config: TrackerConfig = {},
  ) {
    const c = config;
    this.anon = anonOptions(c.anonymousTracking);
    const strategy = c.stateStorageStrategy || 'cookieAndLocalStorage';
    const cookieOpts = {
      domain: c.cookieDomain,
      sameSite: c.cookieSameSite || 'Lax',
      secure: c.cookieSecure !== false && location.protocol === 'https:',
    };
    if (c.discoverRootDomain && !c.cookieDomain)
      cookieOpts.domain = discoverRootDomain(location.hostname, cookieOpts);
    const domain = cookieOpts.domain || location.hostname;
    const prefix = (c.cookieName || '_sp_') + '';
    const suffix = '.' + cookieSuffix(domain.replace(/^\./, ''));
    this.cookiePrefix = prefix;
    this.cookieSuffix = suffix;
    const store =
      this.anon && !this.anon.withSessionTracking ? memoryStore() : stateStore(strategy, cookieOpts);
    this.mechanism = store.mechanism;
    this.session = new Session(
      store,
      prefix + 'id' + suffix,
      prefix + 'ses' + suffix,
      c.sessionCookieTimeout === undefined ? 1800 : c.sessionCookieTimeout,
      !!this.anon,
      c.cookieLifetime && c.cookieLifetime > 0 ? c.cookieLifetime : undefined,
    );
    const persistQueue = strategy === 'localStorage' || strategy === 'cookieAndLocalStorage';
    const method = c.eventMethod || 'post';
    this.queue = new OutQueue({
      endpoint,
      method,
      postPath: c.postPath || '/com.snowplowanalytics.snowplow/tp2',
      bufferSize: method === 'get' ? 1 : Math.max(1, c.bufferSize || 1),
      maxPostBytes: c.maxPostBytes || 40000,
      storageKey: persistQueue ? 'snowplowOutQueue_' + namespace + '_' + method : null,
      serverAnonymous: () => !!(this.anon && this.anon.withServerAnonymisation),
      credentials: c.withCredentials === false ? 'omit' : 'include',
      retryDelay: c.retryDelay || 1000,
      maxRetryDelay: c.maxRetryDelay || 60000,
      maxQueueSize: 1000,
    });
    if (c.crossDomainLinker) this.crossDomainLinker(c.crossDomainLinker);
  }

  /** Decorate the links `linker` accepts with `_sp` as they are pressed. */
  crossDomainLinker(linker: (link: LinkElement) => boolean): void {
    if (typeof linker !== 'function') return;
    this.linker = linker;
    listenForCrossDomainLinks(this);
  }

  get anonymous(): boolean {
    return !!this.anon;
  }

  enableAnonymousTracking(o?: { options?: AnonymousOptions }): void {
    this.anon = (o && o.options) || {};
    this.session.anonymous = true;
  }

  disableAnonymousTracking(): void {
    this.anon = false;
    this.session.anonymous = false;
  }

  private blocked(): boolean {
    if (this.optOutCookie && getCookie(this.optOutCookie) !== undefined) return true;
    if (!this.config.respectDoNotTrack) return false;
    const n = navigator as Navigator & { msDoNotTrack?: string };
    const w = window as Window & { doNotTrack?: string };
    const dnt = n.doNotTrack || n.msDoNotTrack || w.doNotTrack;
    return dnt === '1' || dnt === 'yes';
  }

  /**
   * Finish an event: common fields, session, entities; then queue it. `schema` names the
   * event for global-context rules. Returns the payload, or undefined when tracking is off.
   */
  track(p: Payload, ev: CommonEvent, schema: string): Payload | undefined {
    if (this.blocked()) return undefined;
    const t = now();
    const eid = uuid();
    const c = this.config;
    p.eid = eid;
    p.tv = VERSION;
    put(p, 'tna', this.namespace);
    put(p, 'aid', c.appId);
    p.p = c.platform || 'web';
    p.cookie = navigator.cookieEnabled ? '1' : '0';
    put(p, 'cs', document.characterSet);
    put(p, 'lang', navigator.language);
    put(p, 'res', screen.width + 'x' + screen.height);
    put(p, 'cd', screen.colorDepth);
    try {
      put(p, 'tz', Intl.DateTimeFormat().resolvedOptions().timeZone);
    } catch {
      /* no Intl time zone support */
    }
    const ts = ev.timestamp;
    if (ts && typeof ts === 'object' && ts.type === 'ttm') {
      p.ttm = String(ts.value);
      p.dtm = String(t);
    } else p.dtm = String(typeof ts === 'number' ? ts : ts ? ts.value : t);
    put(p, 'vp', window.innerWidth + 'x' + window.innerHeight);
    put(p, 'ds', documentSize());
    const s = this.session.next(eid, t);
    put(p, 'vid', s.vid);
    put(p, 'sid', s.sid);
    if (!this.anon) {
      put(p, 'duid', s.duid);
      put(p, 'uid', this.userId);
    }
    if (!p.refr) put(p, 'refr', this.referrer || document.referrer);
    if (!p.url) put(p, 'url', this.customUrl || location.href);
    const entities = (ev.context || []).slice();
    const cc = c.contexts || {};
    if (cc.webPage !== false) entities.push({ schema: IGLU + 'web_page/jsonschema/1-0-0', data: { id: this.pageViewId } });
    if (cc.session) entities.push(this.session.context(s, this.mechanism));
    if (cc.browser) entities.push(browserContext());
    if (this.gdpr) entities.push(this.gdpr);
    entities.push(...this.globals.resolve({ event: p, eventType: p.e, eventSchema: schema }));
    if (entities.length)
      putJson(p, 'co', 'cx', { schema: CONTEXTS_SCHEMA, data: entities }, c.encodeBase64 === true || (c.encodeBase64 === undefined && c.eventMethod === 'get'));
    this.queue.enqueue(p);
    return p;
  }

  /** A self-describing (`ue`) event. */
  trackSelfDescribingEvent(o: CommonEvent & { event: SelfDescribingJson }): void {
    if (!o || !o.event || typeof o.event.schema !== 'string') return;
    const p: Payload = { e: 'ue' };
    const c = this.config;
    putJson(p, 'ue_pr', 'ue_px', { schema: UNSTRUCT_SCHEMA, data: o.event }, c.encodeBase64 === true || (c.encodeBase64 === undefined && c.eventMethod === 'get'));
    this.track(p, o, o.event.schema);
  }

  trackPageView(o: CommonEvent & { title?: string | null } = {}): void {
    if (this.pageViewSent && !this.keepPageViewId) this.pageViewId = uuid();
    this.pageViewSent = true;
    const p: Payload = { e: 'pv' };
    put(p, 'url', this.customUrl || location.href);
    put(p, 'page', (o && o.title) || this.title || document.title);
    put(p, 'refr', this.referrer || document.referrer);
    this.track(p, o || {}, IGLU + 'page_view/jsonschema/1-0-0');
    for (const f of this.onPageView) f();
  }

  trackStructEvent(
    o: CommonEvent & { category: string; action: string; label?: string; property?: string; value?: number },
  ): void {
    const p: Payload = { e: 'se' };
    put(p, 'se_ca', o.category);
    put(p, 'se_ac', o.action);
    put(p, 'se_la', o.label);
    put(p, 'se_pr', o.property);
    if (typeof o.value === 'number' && isFinite(o.value)) p.se_va = String(o.value);
    this.track(p, o, 'iglu:com.google.analytics/event/jsonschema/1-0-0');
  }

  setUserId(id?: string | null): void {
    this.userId = id || undefined;
  }

  setUserIdFromCookie(name: string): void {
    this.userId = getCookie(name);
  }

  /** The user id from a query parameter of the page's URL. */
  setUserIdFromLocation(param: string): void {
    this.userId = queryParam(location.href, param);
  }

  /** The user id from a query parameter of the referrer's URL. */
  setUserIdFromReferrer(param: string): void {
    this.userId = queryParam(document.referrer, param);
  }

  getUserId(): string | undefined {
    return this.userId;
  }

  /** The full name of one of this tracker's cookies: `getCookieName('id')` → `_sp_id.1a2b`. */
  getCookieName(basename: string): string {
    return this.cookiePrefix + basename + this.cookieSuffix;
  }

  /**
   * The id state's fields, as Snowplow's tracker returns them: new-visitor flag ('1' until
   * the first visit has begun), domain user id, created, visit count, now, last visit,
   * session id, previous session id, first event id, first event time, event index.
   */
  getDomainUserInfo(): Array<string | number> {
    const s = this.session.loadKept(now());
    return [s.vid ? '0' : '1', s.duid, s.created, s.vid, s.now, s.last, s.sid, s.prev, s.firstEid, s.firstTs, s.idx];
  }

  /**
   * Forget the user and session identifiers kept in cookies or local storage and in memory
   * (a "forget me" button): the next event comes from a new user in a new session, unless
   * `preserveUser` / `preserveSession` keep those.
   */
  clearUserData(o: { preserveUser?: boolean; preserveSession?: boolean } = {}): void {
    this.session.clear(now(), !!o.preserveUser, !!o.preserveSession);
    if (!o.preserveUser) this.userId = undefined;
  }

  /** Keep the current page view id for the later page views of this page. */
  preservePageViewId(): void {
    this.keepPageViewId = true;
  }

  setBufferSize(size: number): void {
    if (this.queue.o.method !== 'get' && size >= 1) this.queue.o.bufferSize = Math.floor(size);
  }

  setCollectorUrl(endpoint: string): void {
    if (endpoint) this.queue.setEndpoint(endpoint);
  }

  /** How long the id cookie lives, in seconds. */
  setVisitorCookieTimeout(seconds: number): void {
    if (seconds > 0) this.session.idTtl = seconds;
  }

  setCustomUrl(url: string): void {
    this.customUrl = url;
  }

  setReferrerUrl(url: string): void {
    this.referrer = url;
  }

  setDocumentTitle(title: string): void {
    this.title = title;
  }

  setOptOutCookie(name?: string | null): void {
    this.optOutCookie = name || undefined;
  }

  addGlobalContexts(cs: GlobalContext[]): void {
    this.globals.add(cs);
  }

  removeGlobalContexts(cs: GlobalContext[]): void {
    this.globals.remove(cs);
  }

  clearGlobalContexts(): void {
    this.globals.clear();
  }

  /** Send whatever is buffered now. */
  flushBuffer(): void {
    this.queue.flush();
  }

  /** Forget the current session: the next event starts a new one. */
  newSession(): void {
    this.session.expire();
  }

  getDomainUserId(): string {
    return this.session.loadKept(now()).duid;
  }

  getPageViewId(): string {
    return this.pageViewId;
  }
}

/** The decoded value of query parameter `name` in `url`, or undefined. */
function queryParam(url: string, name: string): string | undefined {
  try {
    return new URL(url).searchParams.get(name) || undefined;
  } catch {
    return undefined;
  }
}

function anonOptions(a: boolean | AnonymousOptions | undefined): AnonymousOptions | false {
  if (!a) return false;
  return a === true ? {} : a;
}
