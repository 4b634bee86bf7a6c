/** Form tracking: focus_form, change_form and submit_form (1-0-0), passwords never sent. */
import type { Tracker, CommonEvent } from './tracker';
import { IGLU } from './util';

export interface FormOptions extends CommonEvent {
  options?: { forms?: { allowlist?: string[]; denylist?: string[] }; fields?: { denylist?: string[] } };
}

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
const FIELD = 'input,select,textarea';

const formId = (f: HTMLFormElement | null): string =>
  (f && (f.id || f.getAttribute('name'))) || '';
const fieldId = (el: Field): string => el.id || el.name || '';
const classes = (el: Element): string[] =>
  (el.getAttribute('class') || '').split(/\s+/).filter(Boolean);
const typeOf = (el: Field): string | null =>
  el.nodeName === 'INPUT' ? (el as HTMLInputElement).type : null;

/** The value the tracker reports for a field; checkboxes report their value only when checked. */
export function fieldValue(el: Field): string | null {
  const t = typeOf(el);
  if ((t === 'checkbox' || t === 'radio') && !(el as HTMLInputElement).checked) return null;
  return el.value;
}

function formAllowed(f: HTMLFormElement | null, o: FormOptions): boolean {
  const r = o.options && o.options.forms;
  if (!r) return true;
  const cls = f ? classes(f) : [];
  if (r.allowlist) return r.allowlist.some((c) => cls.indexOf(c) >= 0);
  if (r.denylist) return !r.denylist.some((c) => cls.indexOf(c) >= 0);
  return true;
}

function fieldAllowed(el: Field, o: FormOptions): boolean {
  if (typeOf(el) === 'password') return false;
  const deny = o.options && o.options.fields && o.options.fields.denylist;
  return !(deny && deny.indexOf(fieldId(el)) >= 0);
}

/** Track focus, change and submit on every form of the page (delegated listeners). */
export function enableFormTracking(t: Tracker, o: FormOptions = {}): void {
  const send = (name: string, data: Record<string, unknown>): void =>
    t.trackSelfDescribingEvent({
      event: { schema: IGLU + name + '/jsonschema/1-0-0', data },
      context: o.context,
    });
  const fieldEvent = (name: string) => (e: Event): void => {
    const el = e.target as Field;
    if (!el || !el.matches || !el.matches(FIELD) || !el.form) return;
    if (!formAllowed(el.form, o) || !fieldAllowed(el, o)) return;
    const d: Record<string, unknown> = {
      formId: formId(el.form),
      elementId: fieldId(el),
      nodeName: el.nodeName,
      elementClasses: classes(el),
      value: fieldValue(el),
    };
    const ty = typeOf(el);
    if (ty) d[name === 'change_form' ? 'type' : 'elementType'] = ty;
    send(name, d);
  };
  document.addEventListener('focusin', fieldEvent('focus_form'), true);
  document.addEventListener('change', fieldEvent('change_form'), true);
  document.addEventListener(
    'submit',
    (e) => {
      const f = e.target as HTMLFormElement;
      if (!f || f.nodeName !== 'FORM' || !formAllowed(f, o)) return;
      const elements: Record<string, unknown>[] = [];
      f.querySelectorAll<Field>(FIELD).forEach((el) => {
        if (!fieldAllowed(el, o) || !fieldId(el)) return;
        const d: Record<string, unknown> = { name: fieldId(el), value: fieldValue(el), nodeName: el.nodeName };
        const ty = typeOf(el);
        if (ty) d.type = ty;
        elements.push(d);
      });
      send('submit_form', { formId: formId(f), formClasses: classes(f), elements });
    },
    true,
  );
}
