/* Scan-to-buy on /scan: read a barcode with the camera where the browser can, otherwise leave
 * the manual entry form (#scan-form, GET /scan?code=…) as the way in.
 *
 * Hooks rendered by the page: video#scan-video (hidden), button#scan-start, p#scan-status with
 * data-msg-unsupported, data-msg-denied and data-msg-scanning, form#scan-form with input#scan-code.
 * The Barcode Detection API exists in Chrome on Android, ChromeOS and macOS; desktop Linux and
 * Windows, Firefox and Safari mostly lack it, and getUserMedia needs a secure context. */
(function () {
  'use strict';

  var FORMATS = ['ean_13', 'ean_8', 'upc_a', 'code_128', 'qr_code'];
  var INTERVAL_MS = 200;

  var video = document.getElementById('scan-video');
  var startButton = document.getElementById('scan-start');
  var status = document.getElementById('scan-status');
  var form = document.getElementById('scan-form');
  var input = document.getElementById('scan-code');
  if (!video || !startButton || !status || !form) return;

  // After "not found" the page is /scan?code=…: keep what was typed in the box to correct it.
  var typed = new URLSearchParams(window.location.search).get('code');
  if (input && typed && !input.value) input.value = typed.trim().slice(0, 40);

  var stream = null;
  var timer = null;
  var finished = false;

  function say(key) {
    var text = status.getAttribute('data-msg-' + key);
    if (text) status.textContent = text;
  }

  // Focus moves to the code field only after the shopper pressed the button, never on load
  // (that would pop the keyboard up on a phone before they read the page).
  function manualEntry(key, focusInput) {
    startButton.hidden = true;
    say(key);
    if (focusInput && input) input.focus();
  }

  function stopCamera() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
  }

  function found(value) {
    finished = true;
    stopCamera();
    window.location.assign('/scan?code=' + encodeURIComponent(value.trim()));
  }

  function detectLoop(detector) {
    if (finished || !stream) return;
    // detect() rejects while the video has no frame yet; just try again on the next tick.
    var attempt = video.readyState >= 2 ? detector.detect(video) : Promise.resolve([]);
    attempt.then(function (codes) {
      var hit = codes.find(function (code) { return code.rawValue && code.rawValue.trim(); });
      if (hit) found(hit.rawValue);
      else timer = setTimeout(function () { detectLoop(detector); }, INTERVAL_MS);
    }, function () {
      timer = setTimeout(function () { detectLoop(detector); }, INTERVAL_MS);
    });
  }

  function start(detector) {
    startButton.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        startButton.hidden = true;
        say('scanning');
        detectLoop(detector);
      })
      .catch(function (error) {
        stopCamera();
        startButton.disabled = false;
        var denied = error && (error.name === 'NotAllowedError' || error.name === 'SecurityError');
        // No camera at all (NotFoundError, OverconstrainedError…) is the same as no support.
        manualEntry(denied ? 'denied' : 'unsupported', true);
      });
  }

  var capable = 'BarcodeDetector' in window && window.isSecureContext &&
    navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === 'function';
  if (!capable) {
    manualEntry('unsupported');
    return;
  }

  var supportedFormats = typeof window.BarcodeDetector.getSupportedFormats === 'function'
    ? window.BarcodeDetector.getSupportedFormats()
    : Promise.resolve(FORMATS);
  supportedFormats.then(function (available) {
    var formats = FORMATS.filter(function (format) { return available.indexOf(format) !== -1; });
    if (formats.length === 0) {
      manualEntry('unsupported');
      return;
    }
    var detector = new window.BarcodeDetector({ formats: formats });
    startButton.hidden = false;
    startButton.addEventListener('click', function () { start(detector); });
  }, function () {
    manualEntry('unsupported');
  });

  // Leaving the page (or the tab going to the background) releases the camera.
  window.addEventListener('pagehide', stopCamera);
  document.addEventListener('visibilitychange', function () {
    if (document.hidden && stream && !finished) {
      stopCamera();
      startButton.hidden = false;
      startButton.disabled = false;
    }
  });
})();
