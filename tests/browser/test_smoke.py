"""Smoke: the installable-app files are served with the right types, and the storefront's home
page renders in both sizes without console errors."""
import json
import struct
import urllib.error
import urllib.request

import pytest


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def media_type(headers) -> str:
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", body[16:24])


def test_manifest_is_served_as_a_web_app_manifest(server):
    status, headers, body = fetch(server + "/manifest.webmanifest")
    assert status == 200
    assert media_type(headers) == "application/manifest+json"
    manifest = json.loads(body)
    assert manifest["name"] == "ChainMall 连锁商城"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-CN"
    purposes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


def test_service_worker_is_javascript_at_the_root(server):
    status, headers, body = fetch(server + "/sw.js")
    assert status == 200
    assert media_type(headers) in {"application/javascript", "text/javascript"}
    assert b"/offline" in body


@pytest.mark.parametrize(
    "path,size",
    [
        ("/icons/icon-192.png", 192),
        ("/icons/icon-512.png", 512),
        ("/icons/maskable-512.png", 512),
        ("/icons/apple-touch-icon.png", 180),
    ],
)
def test_png_icons(server, path, size):
    status, headers, body = fetch(server + path)
    assert status == 200
    assert media_type(headers) == "image/png"
    assert png_size(body) == (size, size)


@pytest.mark.parametrize("path", ["/favicon.svg", "/icons/favicon.svg"])
def test_favicon_svg(server, path):
    status, headers, body = fetch(server + path)
    assert status == 200
    assert media_type(headers) == "image/svg+xml"
    assert body.lstrip().startswith(b"<svg")


def test_home_page_renders(server, browser):
    status, _, _ = fetch(server + "/")
    if status == 404:
        pytest.skip("the storefront home page has not landed yet")
    browser.open("/")
    browser.shot("home")
    assert browser.execute_script("return document.documentElement.lang").lower().startswith("zh")
    assert browser.title.strip()
    manifest = browser.execute_script("var l=document.querySelector('link[rel=manifest]');return l&&l.getAttribute('href')")
    assert manifest == "/manifest.webmanifest"
    browser.assert_clean_console()


def test_scan_page_falls_back_to_manual_entry(server, browser, api):
    """Desktop Linux Chromium has no BarcodeDetector: the camera button hides, the status says
    so, and typing a barcode finds the product."""
    from selenium.webdriver.common.by import By

    from ui import T, visible, wait

    d = browser.driver
    browser.open("/scan")
    status = visible(d, "#scan-status")
    supported = d.execute_script("return 'BarcodeDetector' in window")
    if supported:
        pytest.skip("this Chromium has BarcodeDetector; the fallback path cannot be seen")
    wait(d).until(lambda _: status.text == status.get_attribute("data-msg-unsupported"))
    assert not d.find_element(By.ID, "scan-start").is_displayed()
    assert not d.find_element(By.ID, "scan-video").is_displayed()
    browser.shot("scan-unsupported")

    hit = api.ok("GET", "/products?q=%E7%89%9B%E5%A5%B6&per=1")["items"][0]
    product = api.ok("GET", f"/products/{hit['id']}")
    code = d.find_element(By.ID, "scan-code")
    code.send_keys(product["skus"][0]["barcode"])
    code.submit()
    wait(d).until(lambda x: "/product/" in x.current_url)
    assert product["title"] in d.find_element(By.TAG_NAME, "h1").text
    browser.shot("scan-found")

    browser.open("/scan?code=6900000000000")
    assert visible(d, "#scan-form").is_displayed()
    assert d.find_elements(By.CSS_SELECTOR, "[role=alert]"), "an unknown code shows no message"
    browser.shot("scan-not-found")
    # The not-found page answers 404 on purpose, which Chromium logs as a failed load.
    browser.assert_healthy(ignore=("/scan?code=6900000000000 - Failed to load resource",))


def test_offline_page_when_the_server_is_gone(private_server, new_browser):
    """The service worker installs on the first visit; once the server is unreachable, a page
    navigation shows the cached offline page, styled by the cached stylesheet."""
    from selenium.webdriver.common.by import By

    from ui import T, visible, wait

    browser = new_browser("offline", base_url=private_server.url)
    d = browser.driver
    browser.open("/")
    scope = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.serviceWorker.ready.then((r) => done(r.scope), (e) => done('error ' + e));"
    )
    assert scope == private_server.url + "/"
    cached = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys()))))"
        ".then((lists) => done(lists.flat().map((r) => new URL(r.url).pathname)));"
    )
    assert {"/offline", "/css/mall.css", "/js/mall.js", "/js/pwa.js", "/manifest.webmanifest"} <= set(cached), cached
    unstyled = d.execute_script("return getComputedStyle(document.body).fontFamily")
    browser.shot("online")

    private_server.stop()
    d.get(private_server.url + "/stores")
    heading = visible(d, "h1")
    assert heading.text == T("offline_title")
    assert d.execute_script("return getComputedStyle(document.body).fontFamily") == unstyled, "offline page is unstyled"
    browser.shot("offline-page")
    # Everything the offline page loads came from the cache: no failed request.
    browser.assert_healthy()


CAMERA_STUB = """
// A camera (a canvas stream) and a BarcodeDetector that reads %(code)s on its third look.
navigator.mediaDevices.getUserMedia = async (constraints) => {
  sessionStorage.setItem('scan.facingMode', constraints.video.facingMode);
  const canvas = document.createElement('canvas');
  canvas.width = 320; canvas.height = 240;
  const context = canvas.getContext('2d');
  setInterval(() => { context.fillStyle = '#' + Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0'); context.fillRect(0, 0, 320, 240); }, 40);
  const stream = canvas.captureStream(25);
  window.addEventListener('pagehide', () => {
    sessionStorage.setItem('scan.stopped', String(stream.getTracks().every((t) => t.readyState === 'ended')));
  });
  return stream;
};
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ['ean_13', 'ean_8', 'upc_a', 'code_128', 'qr_code', 'aztec']; }
  constructor(options) { sessionStorage.setItem('scan.formats', options.formats.join(',')); this.looks = 0; }
  async detect() { this.looks += 1; return this.looks >= 3 ? [{ rawValue: '%(code)s', format: 'ean_13' }] : []; }
};
"""


def test_scan_with_camera_goes_to_the_product(server, browser, api):
    """With a camera and BarcodeDetector (both stubbed in the page), pressing the button scans,
    stops the camera and opens /scan?code=…, which leads to the product."""
    from selenium.webdriver.common.by import By

    from ui import click, visible, wait

    d = browser.driver
    hit = api.ok("GET", "/products?q=%E7%89%9B%E5%A5%B6&per=1")["items"][0]
    product = api.ok("GET", f"/products/{hit['id']}")
    barcode = product["skus"][0]["barcode"]
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CAMERA_STUB % {"code": barcode}})
    browser.open("/scan")
    start = visible(d, "#scan-start")
    browser.shot("scan-ready")
    click(d, start)
    wait(d).until(lambda x: "/product/" in x.current_url)
    assert product["title"] in d.find_element(By.TAG_NAME, "h1").text
    storage = d.execute_script(
        "return ['scan.facingMode', 'scan.formats', 'scan.stopped'].map((k) => sessionStorage.getItem(k))"
    )
    assert storage == ["environment", "ean_13,ean_8,upc_a,code_128,qr_code", "true"], storage
    browser.shot("scan-hit")
    browser.assert_healthy()
