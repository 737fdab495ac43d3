"""The console's product editor uploads a video (with one of the product's images as its poster)
and a PDF manual, lists them with kind, size and length, and the storefront's product page shows
them; removing the manual in the editor takes it off the page.

The files are the committed fixtures under Tests/MallServerTests/Fixtures/media (made by
Tests/vectors/make_media_fixtures.py): a 12.5-second MP4 and a small PDF.
"""
import math
from pathlib import Path

from selenium.webdriver.common.by import By

from test_console_catalog import console_sign_in
from ui import C, button, click, field, fill, table_row_cells, visible, wait

MEDIA = Path(__file__).resolve().parents[2] / "Tests/MallServerTests/Fixtures/media"


def kilobytes(size: int) -> str:
    """What the console shows for a file under a megabyte (JavaScript rounds halves up)."""
    return C("unit.kilobytes", value=f"{max(1, math.floor(size / 1024 + 0.5)):,}")


def upload_in(d, legend: str, file: Path, fields: dict):
    visible(d, ".product-attachments fieldset")
    fieldset = next(f for f in d.find_elements(By.CSS_SELECTOR, ".product-attachments fieldset")
                    if f.find_element(By.TAG_NAME, "legend").text == legend)
    field(d, C("attachments.videoFile") if file.suffix == ".mp4" else C("attachments.documentFile")).send_keys(str(file))
    for label, value in fields.items():
        fill(d, label, value)
    click(d, button(d, C("attachments.upload"), within=fieldset))


def test_editor_uploads_video_and_manual_shown_on_product_page(browser, api):
    d = browser.driver
    admin = api.staff_token("admin")
    # Not the product test_product_media.py uses, so the two never meet.
    product = api.ok("GET", "/products?sort=sales&per=2")["items"][1]
    assert api.ok("GET", f"/products/{product['id']}")["images"], "the demo product has a picture to be the poster"

    console_sign_in(browser, "admin")
    browser.open(f"/console/catalog/{product['id']}")
    visible(d, ".product-attachments")
    assert C("attachments.none") in d.find_element(By.CSS_SELECTOR, ".product-attachments").text

    mp4 = MEDIA / "clip-12.5s.mp4"
    upload_in(d, C("attachments.videoTitle"), mp4, {C("attachments.titleOptional"): "开箱视频"})
    cells = table_row_cells(d, "开箱视频", css=".product-attachments tbody tr")
    assert cells[:4] == [f"{C('attachments.video')} · MP4", "开箱视频", kilobytes(mp4.stat().st_size), "0:13"]

    pdf = MEDIA / "manual.pdf"
    upload_in(d, C("attachments.documentTitle"), pdf, {C("attachments.documentName"): "使用说明书"})
    cells = table_row_cells(d, "使用说明书", css=".product-attachments tbody tr")
    assert cells[:4] == [f"{C('attachments.document')} · PDF", "使用说明书", kilobytes(pdf.stat().st_size), ""]
    browser.shot("editor-attachments")

    listed = api.ok("GET", f"/admin/products/{product['id']}/attachments", token=admin)
    video = next(a for a in listed if a["format"] == "mp4")
    assert video["durationMilliseconds"] == 12_500
    browser.open(f"/product/{product['id']}")
    source = wait(d).until(lambda d: d.find_element(By.CSS_SELECTOR, "section.product-videos video source"))
    assert source.get_attribute("src").endswith(video["url"])
    manual = d.find_element(By.CSS_SELECTOR, "section.product-documents a.document-link")
    assert manual.text == "使用说明书"
    browser.shot("product-page")

    # Taking the manual off again in the editor takes it off the page.
    browser.open(f"/console/catalog/{product['id']}")
    table_row_cells(d, "使用说明书", css=".product-attachments tbody tr")
    row = d.find_element(By.XPATH, "//section[contains(@class,'product-attachments')]//tr[contains(., '使用说明书')]")
    click(d, button(d, C("attachments.remove"), within=row))
    wait(d).until(lambda d: "使用说明书" not in d.find_element(By.CSS_SELECTOR, ".product-attachments").text)
    browser.open(f"/product/{product['id']}")
    visible(d, "section.product-videos video")
    assert not d.find_elements(By.CSS_SELECTOR, "section.product-documents a.document-link")
    browser.assert_healthy()

    api.ok("DELETE", f"/admin/products/{product['id']}/attachments/{video['id']}", token=admin)
