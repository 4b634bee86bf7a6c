/** Global contexts: entities added to every event, optionally generated or filtered. */
import { SelfDescribingJson, isSelfDescribing, Payload } from './util';

/** What generators and filters are told about the event being built. */
export interface ContextEvent {
  event: Payload;
  eventType: string;
  eventSchema: string;
}

export type ContextGenerator = (
  e: ContextEvent,
) => SelfDescribingJson | SelfDescribingJson[] | null | undefined;
export type ContextFilter = (e: ContextEvent) => boolean;
/** Schema-based rule set: `accept` / `reject` are Iglu URIs with `*` wildcards. */
export interface RuleSet {
  accept?: string | string[];
  reject?: string | string[];
}
export type ConditionalContext = [ContextFilter | RuleSet, GlobalContext | GlobalContext[]];
export type GlobalContext = SelfDescribingJson | ContextGenerator | ConditionalContext;

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Does `schema` match a rule such as `iglu:com.acme/*\/jsonschema/1-*-*`? */
export function matchRule(rule: string, schema: string): boolean {
  const re = new RegExp('^' + rule.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '$');
  return re.test(schema);
}

function ruleAllows(r: RuleSet, schema: string): boolean {
  const acc = list(r.accept);
  if (acc.length) return acc.some((x) => matchRule(x, schema));
  return !list(r.reject).some((x) => matchRule(x, schema));
}

/** Expand one global context for one event into zero or more entities. */
export function resolveContext(g: GlobalContext, e: ContextEvent): SelfDescribingJson[] {
  if (isSelfDescribing(g)) return [g];
  if (typeof g === 'function') {
    try {
      return list(g(e) || undefined).filter(isSelfDescribing);
    } catch {
      return [];
    }
  }
  if (Array.isArray(g) && g.length === 2) {
    const [cond, ctx] = g;
    let ok: boolean;
    try {
      ok = typeof cond === 'function' ? !!cond(e) : ruleAllows(cond, e.eventSchema);
    } catch {
      ok = false;
    }
    if (!ok) return [];
    return list(ctx).reduce<SelfDescribingJson[]>((a, c) => a.concat(resolveContext(c, e)), []);
  }
  return [];
}

/** A mutable set of global contexts, compared by identity (or JSON for plain entities). */
export class GlobalContexts {
  items: GlobalContext[] = [];

  add(cs: GlobalContext[]): void {
    this.items = this.items.concat(cs);
  }

  remove(cs: GlobalContext[]): void {
    const key = (c: GlobalContext): unknown => (typeof c === 'function' ? c : JSON.stringify(c));
    const drop = cs.map(key);
    this.items = this.items.filter((c) => drop.indexOf(key(c)) < 0);
  }

  clear(): void {
    this.items = [];
  }

  resolve(e: ContextEvent): SelfDescribingJson[] {
    return this.items.reduce<SelfDescribingJson[]>((a, g) => a.concat(resolveContext(g, e)), []);
  }
}
