/* Registers the service worker (Public/sw.js) so the storefront installs as an app and shows an
 * offline page when the network is gone. Loaded with `defer` on every storefront page.
 *
 * The worker answers a failed navigation with the cached /offline page at the address the
 * shopper asked for, so "Try again" there opens that address again (else the page they came
 * from, else the home page, the link's own href). This lives here because the offline page can
 * load only what the worker cached for it, and this file is among those. */
(function () {
  'use strict';

  var retry = document.getElementById('offline-retry');
  if (retry) {
    if (window.location.pathname !== '/offline') {
      // Opening the same address again is a reload of the page the shopper wanted.
      retry.href = window.location.href;
    } else if (document.referrer) {
      try {
        var from = new URL(document.referrer);
        if (from.origin === window.location.origin && from.pathname !== '/offline') retry.href = from.href;
      } catch (error) { /* an unparsable referrer: keep "/" */ }
    }
  }

  if (!('serviceWorker' in navigator)) return;
  // Refresh the cached offline page when the shopper reads the site in another language than
  // the one it was cached in (remembered per browser; one request per change, not per page).
  function keepOfflinePageInLanguage(registration) {
    var lang = document.documentElement.lang;
    var worker = registration.active;
    if (!worker || !lang || window.location.pathname === '/offline') return;
    try {
      if (localStorage.getItem('offlineLang') === lang) return;
      localStorage.setItem('offlineLang', lang);
    } catch (error) { return; }
    worker.postMessage({ type: 'refresh-offline' });
  }
  function register() {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(keepOfflinePageInLanguage).catch(function (error) {
      // Not fatal: the site works without it (private windows, blocked storage).
      console.warn('ChainMall: service worker not registered', error);
    });
  }
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register);
})();
