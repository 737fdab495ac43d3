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
