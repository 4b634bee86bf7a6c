/** Internals re-exported for the unit tests (built to dist/internal.mjs, not shipped). */
export * from './util';
export * from './session';
export * from './queue';
export * from './contexts';
export { ScrollRange } from './activity';
export { Cart } from './commerce';
export { allowed, linkData } from './links';
export * from './api';
export { Tracker } from './tracker';
export { memoryStore } from './storage';
export { decorate, spValue } from './crossdomain';
export { browserContext, tabId } from './browserctx';
export * from './events';
