"""A member reviews a collected item with a photo, HQ approves it, and it shows on the product
page with the rating summary.

Set-up through the API (not under test): a new member buys a product nobody has reviewed yet for
pickup at 静安寺店, pays on the sandbox, and the store hands it over. Member: sign in → my
reviews → "评价" → five stars, words, a photo uploaded from disk → sent, awaiting moderation.
HQ (admin, a second browser): console → 评价审核 → the review in the queue with its photo →
approve. Member: the product page shows the summary (1 review, 5.0) and the review with its
photo; my reviews shows it approved with the points it earned.
"""
import random
import struct
import tempfile
import uuid
import zlib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from ui import C, T, button, click, fill, link, text_appears, visible, wait

PICKUP_STORE_CODE = "SH-JA01"
PASSWORD = "Review2026"


def png_file(width: int = 64, height: int = 48) -> Path:
    """A small real PNG (a red-to-blue gradient) written to a temporary file."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (255 - x * 3 % 256, 80, x * 3 % 256)) for _ in range(height))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path = Path(tempfile.mkdtemp(prefix="chainmall-review-")) / "photo.png"
    path.write_bytes(data)
    return path


@pytest.fixture
def collected(api):
    """(mobile, product, order id): a new member's pickup order of an unreviewed product, collected."""
    mobile = "136" + "".join(random.choice("0123456789") for _ in range(8))
    session = api.ok("POST", "/auth/register", {"mobile": mobile, "password": PASSWORD, "nickname": "评价测试"})
    token = session["tokens"]["accessToken"]
    admin = api.staff_token("admin")
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=admin)["items"] if s["code"] == PICKUP_STORE_CODE)
    chosen = None
    for page in range(1, 6):
        for hit in api.ok("GET", f"/products?sort=sales&per=50&page={page}")["items"]:
            if hit.get("reviewCount", 0) > 0:
                continue
            detail = api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")
            sku = next((s for s in detail["skus"] if s.get("available", 0) >= 1), None)
            if sku and detail["merchantId"] == store["merchantId"]:
                chosen = (detail, sku)
                break
        if chosen:
            break
    assert chosen, f"no unreviewed product in stock at {PICKUP_STORE_CODE}"
    product, sku = chosen
    api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": 1}, token=token)
    api.ok("PUT", f"/cart/fulfilments/{product['merchantId']}", {"mode": "pickup", "storeId": store["id"]}, token=token)
    placed = api.ok("POST", "/checkout", {}, token=token, headers={"Idempotency-Key": f"review-{uuid.uuid4()}"})
    order = placed["orders"][0]
    api.pay_in_sandbox(placed, token)
    # Only the store's own staff hand an order over.
    clerk = api.staff_token("ja.clerk")
    for step in ("accept", "pick", "ready"):
        api.ok("POST", f"/admin/orders/{order['id']}/{step}", token=clerk)
    code = api.ok("GET", f"/orders/{order['id']}", token=token)["pickupCode"]
    api.ok("POST", f"/admin/orders/{order['id']}/pickup", {"code": code}, token=clerk)
    return mobile, product, order["id"]


def test_member_reviews_with_a_photo_and_it_shows_after_moderation(browser, new_browser, collected):
    mobile, product, order_id = collected
    photo = png_file()
    shopper = browser
    shopper.label = "shopper"
    d = shopper.driver
    text = "取货很快，东西新鲜，包装也很好。"

    # 1. Sign in and open "my reviews": the collected item waits for a review.
    shopper.open("/login?next=/account/reviews")
    visible(d, "#login-form")
    fill(d, T("login_id"), mobile)
    fill(d, T("login_password"), PASSWORD)
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: "/account/reviews" in x.current_url)
    text_appears(d, "#my-reviews", product["title"])
    shopper.shot("to-review")

    # 2. The form: five stars, words, a photo from disk.
    item = d.find_element(By.CSS_SELECTOR, f".review-item[data-order='{order_id}']")
    start = item.find_element(By.CSS_SELECTOR, "button[data-review-line]")
    wait(d).until(lambda x: start.is_enabled())
    click(d, start)
    form = visible(d, ".review-item .review-form")
    five = form.find_element(By.CSS_SELECTOR, "input[name='rating'][value='5']")
    click(d, form.find_element(By.CSS_SELECTOR, f"label[for='{five.get_attribute('id')}']"))
    assert five.is_selected()
    form.find_element(By.CSS_SELECTOR, "textarea[name='text']").send_keys(text)
    form.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(photo))
    wait(d).until(lambda x: form.find_elements(By.CSS_SELECTOR, ".upload-list img[src^='/files/img/']"))
    shopper.shot("review-form")
    click(d, button(d, T("review_submit"), within=form))
    text_appears(d, "#my-reviews", T("review_sent"))
    wait(d).until(lambda x: "state=done" in x.current_url)
    text_appears(d, "#my-reviews", text)
    text_appears(d, "#my-reviews", T("review_status_pending"))
    shopper.shot("reviewed-pending")
    shopper.assert_healthy()

    # 3. HQ approves it from the console's queue.
    hq = new_browser("hq")
    c = hq.driver
    hq.open("/console/login")
    fill(c, T("console_username"), "admin")
    fill(c, T("login_password"), "Demo@2026")
    click(c, button(c, T("login_submit")))
    visible(c, "#console-menu")
    click(c, link(c, T("console_menu_reviews")))
    row = link(c, product["title"], exact=True, timeout=30)
    assert c.find_elements(By.CSS_SELECTOR, "#console-main tbody .review-thumbs img"), "the queue shows photos"
    hq.shot("console-queue")
    click(c, row)
    text_appears(c, "#console-main", text)
    assert c.find_elements(By.CSS_SELECTOR, "#console-main .review-thumbs img[src^='/files/img/']")
    click(c, button(c, C("reviews.approve")))
    wait(c).until(lambda x: C("reviewStatus.approved") in x.find_element(By.CSS_SELECTOR, "#console-main h1").text)
    hq.shot("console-approved")
    hq.assert_healthy()

    # 4. The product page: the summary and the review with its photo.
    shopper.open(f"/product/{product['id']}#reviews")
    summary = visible(d, "#rating-summary")
    assert "5.0" in summary.text
    text_appears(d, ".review-list", text)
    assert d.find_elements(By.CSS_SELECTOR, ".review-list .review-photos img[src^='/files/img/']")
    assert "1" in d.find_element(By.ID, "reviews-heading").text
    shopper.shot("product-reviews")

    # 5. My reviews: approved, with the points it earned.
    shopper.open("/account/reviews?state=done")
    text_appears(d, "#my-reviews", T("review_status_approved"))
    text_appears(d, "#my-reviews", T("review_points_earned").replace("{n}", "20"))
    shopper.shot("reviewed-approved")
    shopper.assert_healthy()
