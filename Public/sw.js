/* ChainMall service worker (scope "/").
 *
 * - Install caches the app shell: the offline page, the storefront CSS/JS, the manifest and icons.
 * - Page navigations go to the network first; when the network fails the cached /offline page
 *   is shown. Pages themselves are never stored: they carry a signed-in shopper's cart, orders
 *   and addresses, and a shared phone must not show them to the next person while offline.
 * - Static files under /css/, /js/ and /icons/ (and the manifest) are network-first: every
 *   successful fetch (revalidated past the HTTP cache) refreshes the cached copy, and the cache
 *   answers only when the network fails. A changed stylesheet or script therefore shows up on
 *   the next load with no version bump. VERSION only names the caches: bump it when this
 *   worker's caching changes, and activate deletes the old caches.
 * - /api/, /console, /checkout, /cart and every non-GET request are left to the network
 *   untouched and never cached.
 */
'use strict';

const VERSION = 'v4';
const PREFIX = 'chainmall-';
const SHELL_CACHE = PREFIX + 'shell-' + VERSION;
const STATIC_CACHE = PREFIX + 'static-' + VERSION;
const CURRENT_CACHES = [SHELL_CACHE, STATIC_CACHE];

const OFFLINE_URL = '/offline';
// Everything the offline page itself loads (layout.leaf), so it shows without a failed request.
const SHELL = [
  '/css/mall.css',
  '/js/mall.js',
  '/js/pwa.js',
  '/favicon.svg',
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
  '/icons/favicon.svg'
];

const NEVER_CACHED = ['/api/', '/console', '/checkout', '/cart'];
const STATIC = ['/css/', '/js/', '/icons/'];
const ROOT_FILES = ['/manifest.webmanifest', '/favicon.svg'];

function startsWithAny(path, prefixes) {
  return prefixes.some(function (prefix) {
    // "/cart" covers "/cart" and "/cart/…" but not "/cartoons".
    if (prefix.endsWith('/')) return path.startsWith(prefix);
    return path === prefix || path.startsWith(prefix + '/') || path.startsWith(prefix + '?');
  });
}

self.addEventListener('install', function (event) {
  event.waitUntil((async function () {
    const cache = await caches.open(SHELL_CACHE);
    // The offline page is what the worker is for: without it the install fails and is retried
    // on the next visit. A missing icon or stylesheet must not stop the worker from installing.
    await cache.add(new Request(OFFLINE_URL, { cache: 'reload' }));
    await Promise.all(SHELL.map(function (url) {
      return cache.add(new Request(url, { cache: 'reload' })).catch(function () {});
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', function (event) {
  event.waitUntil((async function () {
    const names = await caches.keys();
    await Promise.all(names
      .filter(function (name) { return name.startsWith(PREFIX) && !CURRENT_CACHES.includes(name); })
      .map(function (name) { return caches.delete(name); }));
    await self.clients.claim();
  })());
});

// The offline page is cached in the language of the visit that installed the worker; a page in
// another language asks for it again, so offline the shopper reads their own language.
self.addEventListener('message', function (event) {
  if (!event.data || event.data.type !== 'refresh-offline') return;
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.add(new Request(OFFLINE_URL, { cache: 'reload' }));
  }).catch(function () {}));
});

async function networkFirstPage(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const offline = await caches.match(OFFLINE_URL, { cacheName: SHELL_CACHE });
    return offline || Response.error();
  }
}

async function networkFirstStatic(event) {
  const request = event.request;
  let response;
  try {
    // The server sends max-age=3600; "no-cache" revalidates with the ETag (a 304 when nothing
    // changed) so the browser's HTTP cache cannot hand back a stale copy either.
    response = await fetch(request, { cache: 'no-cache' });
  } catch (error) {
    // Offline: the copy the last successful fetch stored, else the one the install step stored.
    const cache = await caches.open(STATIC_CACHE);
    const cached = (await cache.match(request)) || (await caches.match(request));
    if (cached) return cached;
    throw error;
  }
  if (response.ok && response.type === 'basic') {
    const copy = response.clone();
    event.waitUntil(caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.put(request, copy); })
      .catch(function () {}));
  }
  return response;
}

self.addEventListener('fetch', function (event) {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (startsWithAny(url.pathname, NEVER_CACHED)) {
    // Cart and checkout pages still get the offline page instead of the browser's error; the
    // API and the console are left entirely to the network.
    if (request.mode === 'navigate' && !url.pathname.startsWith('/api/') && !startsWithAny(url.pathname, ['/console'])) {
      event.respondWith(networkFirstPage(request));
    }
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(networkFirstPage(request));
    return;
  }
  if (startsWithAny(url.pathname, STATIC) || ROOT_FILES.includes(url.pathname)) {
    event.respondWith(networkFirstStatic(event));
  }
});
