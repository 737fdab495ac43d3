/* Registers the service worker (Public/sw.js) so the storefront installs as an app and shows an
 * offline page when the network is gone. Loaded with `defer` on every storefront page. */
(function () {
  'use strict';
  if (!('serviceWorker' in navigator)) return;
  function register() {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function (error) {
      // Not fatal: the site works without it (private windows, blocked storage).
      console.warn('ChainMall: service worker not registered', error);
    });
  }
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register);
})();
