/**
 * Cross-domain linking: the links a `crossDomainLinker` callback picks get an `_sp` query
 * parameter, set when they are pressed, so that enrich can fill `refr_domain_userid` and
 * `refr_dvce_tstamp` for the events of the page they lead to.
 */
import type { Tracker } from './tracker';
import { LINKS, base64url, closestTo, now } from './util';

/** Which extra parts the extended `_sp` form carries (`useExtendedCrossDomainLinker`). */
export interface ExtendedLinkerAttributes {
  sessionId?: boolean;
  userId?: boolean;
  sourceId?: boolean;
  sourcePlatform?: boolean;
  /** `true`: the link's text; a function: what it returns for the click event. */
  reason?: boolean | ((e: Event) => string);
}

export type ExtendedLinkerOptions = boolean | ExtendedLinkerAttributes;

export type LinkElement = HTMLAnchorElement | HTMLAreaElement;

/** `useExtendedCrossDomainLinker: true`: every part except the reason. */
const EVERY_PART: ExtendedLinkerAttributes = { sessionId: true, userId: true, sourceId: true, sourcePlatform: true };

/**
 * The `_sp` value: `domainUserId.timestamp`, or with `extended` the seven-part form
 * `domainUserId.timestamp.sessionId.userId.sourceId.sourcePlatform.reason`, where the user id,
 * source (app) id and reason are base64url and a part left out is empty.
 */
export function spValue(t: Tracker, extended: ExtendedLinkerOptions | undefined, link?: LinkElement, e?: Event): string {
  const state = t.session.loadKept(now());
  const parts = [state.duid, String(now())];
  if (!extended) return parts.join('.');
  const a = extended === true ? EVERY_PART : extended;
  const encoded = (v: string | undefined | null): string => (v ? base64url(v) : '');
  let reason = '';
  if (typeof a.reason === 'function') reason = e ? String(a.reason(e) || '') : '';
  else if (a.reason && link) reason = (link.textContent || '').trim();
  parts.push(
    a.sessionId ? state.sid : '',
    a.userId ? encoded(t.userId) : '',
    a.sourceId ? encoded(t.config.appId) : '',
    a.sourcePlatform ? t.config.platform || 'web' : '',
    encoded(reason),
  );
  return parts.join('.');
}

/** `href` with `_sp=value` in its query, before any fragment; an earlier `_sp` is replaced. */
export function decorate(href: string, value: string): string {
  const hash = href.indexOf('#');
  const fragment = hash < 0 ? '' : href.slice(hash);
  const base = (hash < 0 ? href : href.slice(0, hash)).replace(/([?&])_sp=[^&]*&?/g, '$1');
  const last = base.slice(-1);
  const joint = base.indexOf('?') < 0 ? '?' : last === '?' || last === '&' ? '' : '&';
  return base + joint + '_sp=' + value + fragment;
}

const installed = new WeakSet<Tracker>();

/**
 * Decorate the links `t.linker` accepts as they are pressed (mouse down, so a link opened in
 * a new tab carries it too, and click, for the keyboard). One listener on the document serves
 * links added later as well. Anonymous tracking decorates nothing: it would reveal the id.
 */
export function listenForCrossDomainLinks(t: Tracker): void {
  if (installed.has(t)) return;
  installed.add(t);
  const handler = (e: Event): void => {
    const link = closestTo<LinkElement>(e, LINKS);
    if (!link || !t.linker || t.anonymous) return;
    try {
      if (!t.linker(link)) return;
      link.href = decorate(link.href, spValue(t, t.config.useExtendedCrossDomainLinker, link, e));
    } catch {
      /* a failing page callback must not break the click */
    }
  };
  document.addEventListener('mousedown', handler, true);
  document.addEventListener('click', handler, true);
}
