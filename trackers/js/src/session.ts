/**
 * The first-party id state Snowplow keeps in `_sp_id.<hash>` and the session marker
 * `_sp_ses.<hash>`. The id value is ten dot-separated fields:
 * domainUserId.createdSec.visitCount.nowSec.lastVisitSec.sessionId.previousSessionId.
 * firstEventId.firstEventMs.eventIndex
 */
import { IGLU, SelfDescribingJson, sha1, uuid } from './util';
import type { StateStore } from './storage';

export interface IdState {
  duid: string;
  created: number;
  vid: number;
  now: number;
  last: string;
  sid: string;
  prev: string;
  firstEid: string;
  firstTs: string;
  idx: number;
}

const ID_TTL = 63072000; // two years
export const ANONYMOUS_USER = '00000000-0000-0000-0000-000000000000';

/** Four hex characters that make cookie names unique per domain and path. */
export const cookieSuffix = (domain: string, path = '/'): string => sha1(domain + path).slice(0, 4);

/** Encode the id state as the cookie value. */
export function serializeId(s: IdState): string {
  return [s.duid, s.created, s.vid, s.now, s.last, s.sid, s.prev, s.firstEid, s.firstTs, s.idx].join(
    '.',
  );
}

/** Decode a cookie value; undefined when it is not a ten-field id value. */
export function parseId(value: string | undefined): IdState | undefined {
  if (!value) return undefined;
  const f = value.split('.');
  if (f.length < 6) return undefined;
  const n = (i: number): number => (f[i] && isFinite(+f[i]) ? +f[i] : 0);
  return {
    duid: f[0],
    created: n(1),
    vid: n(2),
    now: n(3),
    last: f[4] || '',
    sid: f[5] || '',
    prev: f[6] || '',
    firstEid: f[7] || '',
    firstTs: f[8] || '',
    idx: n(9),
  };
}

/** Fresh state for a browser seen for the first time. */
export function freshId(nowMs: number, anonymous: boolean): IdState {
  const sec = Math.round(nowMs / 1000);
  return {
    duid: anonymous ? '' : uuid(),
    created: sec,
    vid: 0,
    now: sec,
    last: '',
    sid: '',
    prev: '',
    firstEid: '',
    firstTs: '',
    idx: 0,
  };
}

/** Owns id/session state for one tracker and advances it on every event. */
export class Session {
  constructor(
    private store: StateStore,
    private idName: string,
    private sesName: string,
    private timeoutSec: number,
    public anonymous: boolean,
    /** Lifetime of the id cookie, in seconds. */
    public idTtl: number = ID_TTL,
  ) {}

  /** Current state without advancing it (a new browser gets a new id). */
  load(nowMs: number): IdState {
    const s = parseId(this.store.get(this.idName)) || freshId(nowMs, this.anonymous);
    if (this.anonymous) s.duid = '';
    return s;
  }

  /** As `load`, but a new browser's id is written down at once, so that it stays. */
  loadKept(nowMs: number): IdState {
    const stored = this.store.get(this.idName);
    const s = this.load(nowMs);
    if (!stored && !this.anonymous) this.store.set(this.idName, serializeId(s), this.idTtl);
    return s;
  }

  /** Count one event: start a new session when the session marker has expired. */
  next(eventId: string, nowMs: number): IdState {
    const s = this.load(nowMs);
    if (!this.store.get(this.sesName) || !s.sid) {
      s.prev = s.sid;
      s.sid = uuid();
      s.last = s.vid > 0 ? String(s.now) : '';
      s.vid += 1;
      s.idx = 0;
      s.firstEid = '';
      s.firstTs = '';
    }
    s.idx += 1;
    if (!s.firstEid) {
      s.firstEid = eventId;
      s.firstTs = String(nowMs);
    }
    s.now = Math.round(nowMs / 1000);
    this.save(s);
    return s;
  }

  save(s: IdState): void {
    this.store.set(this.idName, serializeId(s), this.idTtl);
    this.store.set(this.sesName, '*', this.timeoutSec);
  }

  /**
   * Forget what identifies this browser (`clearUserData`): the next event starts afresh,
   * except for the parts kept. `keepUser` keeps the domain user id and visit count,
   * `keepSession` the current session.
   */
  clear(nowMs: number, keepUser: boolean, keepSession: boolean): void {
    const old = this.load(nowMs);
    const s = freshId(nowMs, this.anonymous);
    if (keepUser) {
      s.duid = old.duid;
      s.created = old.created;
      s.vid = old.vid;
      s.last = old.last;
    }
    if (keepSession) {
      s.sid = old.sid;
      s.prev = old.prev;
      s.firstEid = old.firstEid;
      s.firstTs = old.firstTs;
      s.idx = old.idx;
      if (!keepUser) s.vid = old.vid ? 1 : 0; // the kept session is this new user's first
    }
    if (keepUser || keepSession) this.store.set(this.idName, serializeId(s), this.idTtl);
    else this.store.set(this.idName, '', -1);
    if (!keepSession) this.expire();
  }

  /** Forget the session so that the next event starts a new one. */
  expire(): void {
    this.store.set(this.sesName, '', -1);
  }

  /** The `client_session` 1-0-2 entity for an event. */
  context(s: IdState, mechanism: string): SelfDescribingJson {
    return {
      schema: IGLU + 'client_session/jsonschema/1-0-2',
      data: {
        userId: this.anonymous ? ANONYMOUS_USER : s.duid,
        sessionId: s.sid,
        eventIndex: s.idx,
        sessionIndex: s.vid,
        previousSessionId: s.prev || null,
        storageMechanism: mechanism,
        firstEventId: s.firstEid || null,
        firstEventTimestamp: s.firstTs ? new Date(+s.firstTs).toISOString() : null,
      },
    };
  }
}
