/** First-party storage: cookies (with root-domain discovery) and a guarded localStorage. */

export interface CookieOptions {
  domain?: string;
  path?: string;
  sameSite?: string;
  secure?: boolean;
}

/** Read one cookie of the current document, or undefined. */
export function getCookie(name: string): string | undefined {
  const parts = document.cookie ? document.cookie.split('; ') : [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (part.slice(0, eq) === name) return decodeURIComponent(part.slice(eq + 1));
  }
  return undefined;
}

/** Write (ttlSeconds > 0) or delete (ttlSeconds <= 0) a cookie. */
export function setCookie(name: string, value: string, ttlSeconds: number, o: CookieOptions): void {
  let c = name + '=' + encodeURIComponent(value).replace(/%2A/g, '*');
  c += '; Expires=' + new Date(Date.now() + ttlSeconds * 1000).toUTCString();
  c += '; Path=' + (o.path || '/');
  if (o.domain) c += '; Domain=' + o.domain;
  if (o.sameSite) c += '; SameSite=' + o.sameSite;
  if (o.secure) c += '; Secure';
  document.cookie = c;
}

/**
 * The shortest parent of `host` that accepts a cookie, e.g. "example.co.uk" for
 * "www.shop.example.co.uk" (public suffixes refuse cookies, so they are skipped).
 */
export function discoverRootDomain(host: string, o: CookieOptions): string {
  const probe = '_sp_root_domain_test_' + Date.now();
  const labels = host.split('.');
  for (let i = labels.length - 2; i >= 0; i--) {
    const candidate = labels.slice(i).join('.');
    setCookie(probe, '1', 10, { ...o, domain: candidate });
    if (getCookie(probe) === '1') {
      setCookie(probe, '', -1, { ...o, domain: candidate });
      return candidate;
    }
  }
  return host;
}

/** localStorage that never throws (private mode, quota, disabled storage). */
export const local = {
  get(key: string): string | null {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string): boolean {
    try {
      window.localStorage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  },
  remove(key: string): void {
    try {
      window.localStorage.removeItem(key);
    } catch {
      /* storage unavailable: nothing to remove */
    }
  },
};

export type StorageStrategy = 'cookieAndLocalStorage' | 'cookie' | 'localStorage' | 'none';

/** A name/value store with expiry, backed by cookies or localStorage or memory. */
export interface StateStore {
  get(name: string): string | undefined;
  set(name: string, value: string, ttlSeconds: number): void;
  mechanism: string;
}

/** The store used for `_sp_id` / `_sp_ses` under a given strategy. */
export function stateStore(strategy: StorageStrategy, o: CookieOptions): StateStore {
  if (strategy === 'cookie' || strategy === 'cookieAndLocalStorage') {
    return {
      get: getCookie,
      set: (n, v, ttl) => setCookie(n, v, ttl, o),
      mechanism: 'COOKIE_1',
    };
  }
  if (strategy === 'localStorage') {
    return {
      get(n) {
        const exp = Number(local.get(n + '.expires'));
        const v = local.get(n);
        return v !== null && exp > Date.now() ? v : undefined;
      },
      set(n, v, ttl) {
        local.set(n + '.expires', String(Date.now() + ttl * 1000));
        local.set(n, v);
      },
      mechanism: 'LOCAL_STORAGE',
    };
  }
  return memoryStore();
}

/** Store kept only in this page's memory (stateStorageStrategy "none", anonymous mode). */
export function memoryStore(): StateStore {
  const data: Record<string, [string, number]> = {};
  return {
    get(n) {
      const e = data[n];
      return e && e[1] > Date.now() ? e[0] : undefined;
    },
    set(n, v, ttl) {
      data[n] = [v, Date.now() + ttl * 1000];
    },
    mechanism: 'COOKIE_1',
  };
}
