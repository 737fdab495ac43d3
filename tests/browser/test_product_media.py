"""A product with a video (and its poster) and a PDF manual, attached through the API, shows both
on the storefront product page: an HTML5 <video> with the poster that plays from /files/ with
range requests, and a link to the manual.

Set-up through the API (not under test): HQ uploads a poster image, a minimal MP4 and a PDF
(Tests/MallServerTests/Fixtures/media, made by Tests/vectors/make_media_fixtures.py) to the
first product on sale.
"""
import json
import urllib.request
import uuid
from pathlib import Path

from selenium.webdriver.common.by import By

from test_reviews import png_file
from ui import wait

MEDIA = Path(__file__).resolve().parents[2] / "Tests/MallServerTests/Fixtures/media"


def upload(base_url: str, path: str, token: str, fields: dict, filename: str, data: bytes) -> dict:
    boundary = "----chainmall" + uuid.uuid4().hex
    body = b""
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base_url + "/api/v1" + path, data=body, method="POST")
    request.add_header("Content-Type", "multipart/form-data; boundary=" + boundary)
    request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 201), response.status
        return json.loads(response.read())


def test_product_page_shows_video_and_manual(server, api, browser):
    admin = api.staff_token("admin")
    product = api.ok("GET", "/products?sort=sales&per=1")["items"][0]
    detail = api.ok("GET", f"/products/{product['id']}")
    poster = upload(server, "/admin/media/images", admin, {"merchantId": detail["merchantId"]}, "poster.png", png_file().read_bytes())
    mp4 = (MEDIA / "clip-12.5s.mp4").read_bytes()
    video = upload(server, f"/admin/products/{product['id']}/attachments", admin, {"posterUrl": poster["url"]}, "clip.mp4", mp4)
    manual = upload(server, f"/admin/products/{product['id']}/attachments", admin, {"title": "使用说明书"}, "manual.pdf",
                    (MEDIA / "manual.pdf").read_bytes())

    # The file answers a seek as a player sends it.
    request = urllib.request.Request(server + video["url"], headers={"Range": "bytes=-100"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 206
        assert response.headers["Content-Range"] == f"bytes {len(mp4) - 100}-{len(mp4) - 1}/{len(mp4)}"
        assert response.read() == mp4[-100:]

    browser.open(f"/product/{product['id']}")
    element = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "section.product-videos video"))
    assert element.get_attribute("poster").endswith(poster["url"])
    assert element.get_attribute("controls") is not None
    source = element.find_element(By.TAG_NAME, "source")
    assert source.get_attribute("src").endswith(video["url"])
    assert source.get_attribute("type") == "video/mp4"
    heading = browser.find_element(By.ID, "videos-heading").text
    assert heading in ("商品视频", "Videos")
    link = browser.find_element(By.CSS_SELECTOR, "section.product-documents a.document-link")
    assert link.text == "使用说明书"
    assert link.get_attribute("href").endswith(manual["url"])
    browser.find_element(By.CSS_SELECTOR, "section.product-videos").location_once_scrolled_into_view
    browser.shot("product-video")
    browser.assert_healthy()

    # Leave the shared demo product as it was for the other tests.
    for attachment in (video, manual):
        api.ok("DELETE", f"/admin/products/{product['id']}/attachments/{attachment['id']}", token=admin)
