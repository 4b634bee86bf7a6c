// A minimal stand-in for the browser globals the tracker reads, for node's test runner.
export function installFakeBrowser({ href = 'http://shop.test/p?x=1', referrer = 'http://ref.test/' } = {}) {
  const jar = new Map();
  const expiries = new Map(); // cookie name → Expires of its last write (ms), for the tests
  const storage = new Map();
  const tabStorage = new Map();
  const store = (m) => ({
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
  });
  const listeners = {};
  const sent = [];
  const g = globalThis;
  const target = () => ({
    addEventListener: (t, f) => ((listeners[t] ||= []).push(f)),
  });
  g.window = Object.assign(g.window || {}, target(), {
    innerWidth: 800,
    innerHeight: 600,
    pageXOffset: 0,
    pageYOffset: 0,
    devicePixelRatio: 2,
    localStorage: store(storage),
    sessionStorage: store(tabStorage),
  });
  g.document = {
    ...target(),
    title: 'Test page',
    referrer,
    characterSet: 'UTF-8',
    visibilityState: 'visible',
    documentElement: { scrollWidth: 800, scrollHeight: 2000, lang: 'en' },
    body: { scrollWidth: 800, scrollHeight: 2000 },
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    },
    set cookie(c) {
      const [kv, ...attrs] = c.split('; ');
      const [k, v] = [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)];
      const exp = attrs.find((a) => a.startsWith('Expires='));
      expiries.set(k, exp ? new Date(exp.slice(8)).getTime() : undefined);
      if (exp && new Date(exp.slice(8)).getTime() <= Date.now()) jar.delete(k);
      else jar.set(k, v);
    },
  };
  Object.defineProperty(g, 'navigator', {
    value: { cookieEnabled: true, language: 'en-GB' },
    configurable: true,
    writable: true,
  });
  g.location = new URL(href);
  g.screen = { width: 1280, height: 720, colorDepth: 24 };
  const net = { status: 200, down: false };
  g.fetch = async (url, init = {}) => {
    sent.push({ url, init });
    if (net.down) throw new TypeError('Failed to fetch');
    return { status: net.status };
  };
  return { jar, expiries, storage, tabStorage, sent, net, listeners };
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
