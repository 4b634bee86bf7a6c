/** Link click tracking (`link_click` 1-0-1) by one delegated listener on the document. */
import type { Tracker, CommonEvent } from './tracker';
import { IGLU, LINKS, closestTo } from './util';

export interface LinkFilter {
  allowlist?: string[];
  denylist?: string[];
  filter?: (el: HTMLElement) => boolean;
}

export interface LinkOptions extends CommonEvent {
  options?: LinkFilter;
  pseudoClicks?: boolean;
  trackContent?: boolean;
}

const classes = (el: Element): string[] => (el.getAttribute('class') || '').split(/\s+/).filter(Boolean);

/** Does the filter let this element through? */
export function allowed(el: HTMLElement, f: LinkFilter | undefined): boolean {
  if (!f) return true;
  const cls = classes(el);
  if (f.allowlist) return f.allowlist.some((c) => cls.indexOf(c) >= 0);
  if (f.denylist) return !f.denylist.some((c) => cls.indexOf(c) >= 0);
  return f.filter ? !!f.filter(el) : true;
}

/** The `link_click` entity data for an anchor. */
export function linkData(a: HTMLAnchorElement | HTMLAreaElement, content: boolean): Record<string, unknown> {
  const d: Record<string, unknown> = { targetUrl: a.href };
  if (a.id) d.elementId = a.id;
  const cls = classes(a);
  if (cls.length) d.elementClasses = cls;
  if (a.target) d.elementTarget = a.target;
  if (content && 'innerHTML' in a && a.innerHTML) d.elementContent = a.innerHTML;
  return d;
}

/** Track clicks on every link of the page, present or added later. */
export function enableLinkClickTracking(t: Tracker, o: LinkOptions = {}): void {
  const handler = (e: MouseEvent): void => {
    if (e.type !== 'click' && !(e.type === 'auxclick' && e.button === 1)) return;
    const a = closestTo<HTMLAnchorElement>(e, LINKS);
    if (!a || !allowed(a, o.options)) return;
    if (!/^(https?|file|ftp):/i.test(a.href)) return;
    const data = linkData(a, !!o.trackContent);
    t.trackSelfDescribingEvent({
      event: { schema: IGLU + 'link_click/jsonschema/1-0-1', data },
      context: o.context,
    });
  };
  document.addEventListener('click', handler, true);
  if (o.pseudoClicks !== false) document.addEventListener('auxclick', handler, true);
}
