/**
 * The rest of Snowplow's tag API for self-describing events: timing, cart, social, ads,
 * consent, the GDPR entity and button clicks. Each builds the data of its Iglu Central schema
 * from the fields the schema knows, leaving out the ones not given. Every export is a tag
 * command (`api.ts` registers them all).
 */
import type { Tracker, CommonEvent } from './tracker';
import { IGLU, SelfDescribingJson, closestTo } from './util';
import { LinkFilter, allowed } from './links';

type Fields = Record<string, unknown>;

/** The fields of `o` named in `names` (space-separated) that are set: a schema's data. */
function pick(o: Fields, names: string): Fields {
  const d: Fields = {};
  for (const n of names.split(' ')) if (o[n] !== undefined && o[n] !== null) d[n] = o[n];
  return d;
}

/** Track `data` as a `name` 1-0-0 self-describing event, with `extra` entities before the call's own. */
function send(t: Tracker, name: string, data: Fields, o: CommonEvent, extra: SelfDescribingJson[] = []): void {
  t.trackSelfDescribingEvent({
    event: { schema: IGLU + name + '/jsonschema/1-0-0', data },
    context: extra.concat(o.context || []),
    timestamp: o.timestamp,
  });
}

/** A command tracking one schema's event from the fields of its argument. */
const simple =
  (name: string, names: string) =>
  (t: Tracker, o: Fields & CommonEvent): void =>
    send(t, name, pick(o, names), o);

const AD = 'impressionId zoneId bannerId campaignId advertiserId targetUrl costModel cost';
const CART = 'sku name category unitPrice quantity currency';

export const trackTiming = simple('timing', 'category variable timing label');
export const trackAddToCart = simple('add_to_cart', CART);
export const trackRemoveFromCart = simple('remove_from_cart', CART);
export const trackSocialInteraction = simple('social_interaction', 'action network target');
export const trackAdImpression = simple('ad_impression', AD);
export const trackAdClick = simple('ad_click', 'clickId ' + AD);
export const trackAdConversion = simple(
  'ad_conversion',
  'conversionId campaignId advertiserId category action property costModel cost initialValue',
);

/** The `consent_document` entity, when the call names a document (`id` and `version`). */
function consentDocument(o: Fields): SelfDescribingJson[] {
  if (o.id === undefined || o.version === undefined) return [];
  return [{ schema: IGLU + 'consent_document/jsonschema/1-0-0', data: pick(o, 'id version name description') }];
}

export function trackConsentGranted(t: Tracker, o: Fields & CommonEvent): void {
  send(t, 'consent_granted', pick(o, 'expiry'), o, consentDocument(o));
}

export function trackConsentWithdrawn(t: Tracker, o: Fields & CommonEvent): void {
  send(t, 'consent_withdrawn', { all: !!o.all }, o, consentDocument(o));
}

const BASES = 'consent contract legal_obligation vital_interests public_task legitimate_interests'.split(' ');

/** Send the `gdpr` entity with every later event (`basisForProcessing` is required). */
export function enableGdprContext(t: Tracker, o: Fields): void {
  const basis = String(o.basisForProcessing || '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  if (BASES.indexOf(basis) < 0) return;
  t.gdpr = {
    schema: IGLU + 'gdpr/jsonschema/1-0-0',
    data: {
      basisForProcessing: basis,
      documentId: o.documentId || null,
      documentVersion: o.documentVersion || null,
      documentDescription: o.documentDescription || null,
    },
  };
}

export interface ButtonOptions extends CommonEvent {
  filter?: LinkFilter;
  /** The label of a button that has no text: a string, or a function of the button. */
  defaultLabel?: string | ((el: HTMLElement) => string);
}

const BUTTONS = 'button,input[type=button],input[type=submit]';

/** `button_click` 1-0-0 for clicks on buttons of the page, present or added later. */
export function enableButtonClickTracking(t: Tracker, o: ButtonOptions = {}): void {
  document.addEventListener(
    'click',
    (e: Event) => {
      const el = closestTo<HTMLButtonElement | HTMLInputElement>(e, BUTTONS);
      if (!el || !allowed(el, o.filter)) return;
      const text = ((el.tagName === 'INPUT' ? (el as HTMLInputElement).value : el.textContent) || '').trim();
      const fallback = typeof o.defaultLabel === 'function' ? o.defaultLabel(el) : o.defaultLabel;
      const data: Fields = { label: text || fallback || '(no label)' };
      if (el.id) data.id = el.id;
      const classes = (el.getAttribute('class') || '').split(/\s+/).filter(Boolean);
      if (classes.length) data.classes = classes;
      if (el.getAttribute('name')) data.name = el.getAttribute('name');
      send(t, 'button_click', data, o);
    },
    true,
  );
}
