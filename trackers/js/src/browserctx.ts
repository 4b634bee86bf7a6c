/** The `browser_context` 2-0-0 entity, sent with every event when `contexts: { browser: true }`. */
import { IGLU, SelfDescribingJson, uuid } from './util';

export const BROWSER_CONTEXT_SCHEMA = IGLU + 'browser_context/jsonschema/2-0-0';
const TAB_KEY = '_sp_tab_id';

/** Width x height of the whole document (the `ds` parameter). */
export function documentSize(): string {
  const de = document.documentElement;
  const body = document.body;
  return (
    Math.max(de.scrollWidth, body ? body.scrollWidth : 0) + 'x' + Math.max(de.scrollHeight, body ? body.scrollHeight : 0)
  );
}

/** A text the schema can hold (at most 20 characters), or null. */
const short = (v: string | undefined | null): string | null => (v && v.length <= 20 ? v : null);

/** A number within the schema's 0–1000, or null. */
const bounded = (v: unknown): number | null => (typeof v === 'number' && v >= 0 && v <= 1000 ? v : null);

/** This tab's id: a UUID kept in sessionStorage (one per tab), or null where that is unavailable. */
export function tabId(): string | null {
  try {
    const s = window.sessionStorage;
    let id = s.getItem(TAB_KEY);
    if (!id) s.setItem(TAB_KEY, (id = uuid()));
    return id;
  } catch {
    return null;
  }
}

export function browserContext(): SelfDescribingJson {
  const n = navigator as Navigator & { deviceMemory?: number };
  return {
    schema: BROWSER_CONTEXT_SCHEMA,
    data: {
      viewport: window.innerWidth + 'x' + window.innerHeight,
      documentSize: documentSize(),
      resolution: screen.width + 'x' + screen.height,
      colorDepth: screen.colorDepth,
      devicePixelRatio: bounded(window.devicePixelRatio),
      cookiesEnabled: !!n.cookieEnabled,
      online: n.onLine !== false,
      browserLanguage: short(n.language),
      documentLanguage: short(document.documentElement.lang),
      webdriver: typeof n.webdriver === 'boolean' ? n.webdriver : null,
      deviceMemory: bounded(n.deviceMemory),
      hardwareConcurrency: bounded(n.hardwareConcurrency), // a whole number in browsers
      tabId: tabId(),
    },
  };
}
