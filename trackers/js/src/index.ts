/** ES module entry: the same tracker for bundlers, without touching globals. */
export { Tracker, VERSION } from './tracker';
export type { TrackerConfig, CommonEvent, AnonymousOptions } from './tracker';
export { newTracker, run, trackers, installGlobal } from './api';
export { enableActivityTracking, enableActivityTrackingCallback, updatePageActivity } from './activity';
export { enableLinkClickTracking } from './links';
export { enableFormTracking } from './forms';
export { Cart, trackSiteSearch, trackError, enableErrorTracking } from './commerce';
export type { SelfDescribingJson, Payload } from './util';
export type { ExtendedLinkerAttributes, ExtendedLinkerOptions } from './crossdomain';
export * from './events';
