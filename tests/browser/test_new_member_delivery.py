"""A new shopper signs up, types a delivery address (no location shared), and buys for delivery.

Register → my account: type an address in 静安区 → a product with one SKU in stock near it →
add to cart → checkout, which shows the order total and the price explanation before the order
exists → place → SANDBOX pay → the order page shows the delivery, the store chosen and why, in
Chinese. The typed address is placed at its district's centre, so delivery can be routed
without the browser's location.
"""
import random

import pytest
from selenium.webdriver.common.by import By

from ui import T, body_text, button, click, fill, link, reload_until_text, text_appears, visible, wait

NEAR_STORE_CODE = "SH-JA01"


@pytest.fixture
def product(api):
    """A best seller whose preselected spec combination (the first value of each spec, as the
    product page checks them) is in stock at the store nearest 静安区."""
    staff = api.staff_token("admin")
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=staff)["items"] if s["code"] == NEAR_STORE_CODE)
    for page in range(1, 6):
        for hit in api.ok("GET", f"/products?sort=sales&per=50&page={page}")["items"]:
            detail = api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")
            preselected = [spec["values"][0] for spec in detail["specs"]]
            sku = next((s for s in detail["skus"] if s["specTitle"].split(" / ") == preselected), None)
            if sku and sku.get("available", 0) >= 3:
                return detail
    pytest.fail(f"no product whose preselected spec is in stock at {NEAR_STORE_CODE}")


def test_new_member_checks_out_for_delivery_with_a_typed_address(browser, product):
    d = browser.driver
    mobile = "137" + "".join(random.choice("0123456789") for _ in range(8))

    # 1. Sign up.
    browser.open("/register")
    fill(d, T("register_mobile"), mobile)
    fill(d, T("register_nickname"), "新顾客")
    fill(d, T("login_password"), "Welcome2026")
    browser.shot("register")
    click(d, button(d, T("register_submit")))
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")

    # 2. A typed address: no location shared.
    browser.open("/account")
    form = visible(d, "#address-form")
    wait(d).until(lambda x: form.find_element(By.CSS_SELECTOR, "button[type=submit]").is_enabled())
    fill(d, T("address_recipient"), "新顾客")
    fill(d, T("register_mobile"), mobile)
    fill(d, T("address_province"), "上海市")
    fill(d, T("address_city"), "上海市")
    fill(d, T("address_district"), "静安区")
    fill(d, T("address_detail"), "南京西路1601号")
    click(d, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    text_appears(d, "#address-list", "南京西路1601号")
    text_appears(d, "#address-list", T("account_on_map"))
    browser.shot("address-typed")

    # 3. The product, added to the cart.
    browser.open(f"/product/{product['id']}")
    text_appears(d, ".buy-box h1", product["title"])
    add = visible(d, "#add-to-cart")
    wait(d).until(lambda x: add.is_enabled())
    click(d, add)
    text_appears(d, "#buy-message", T("product_added"))
    browser.shot("added")

    # 4. Checkout: delivery to the typed address, priced before placing.
    browser.open("/checkout")
    summary = visible(d, "#checkout-summary", timeout=30)
    text_appears(d, "#checkout-summary", T("order_payable"))
    assert T("order_shipping") in summary.text
    click(d, summary.find_element(By.TAG_NAME, "summary"))
    text_appears(d, "#checkout-summary .explanation", "应付：")
    previewed_total = summary.find_element(By.CSS_SELECTOR, ".totals strong").text
    browser.shot("checkout-preview")
    click(d, button(d, T("checkout_place")))
    result = visible(d, "#checkout-result", timeout=30)
    assert previewed_total in result.text, "the order costs what the preview said"
    assert "应付：" in result.text, "the explanation is in the page's language"
    order_link = visible(d, "#checkout-result a.order-link-result")
    order_href = order_link.get_attribute("href")
    browser.shot("placed")

    # 5. Pay in the SANDBOX gateway and see the order.
    click(d, visible(d, "#checkout-result button[data-provider='sandbox']"))
    wait(d).until(lambda x: "/sandbox/pay/" in x.current_url)
    click(d, button(d, "确认支付", exact=False))
    click(d, visible(d, "#return-to-shop"))
    d.get(order_href)
    reload_until_text(d, "#order-status", T("status_paid"), timeout=30)
    page = body_text(d)
    assert T("fulfilment_delivery") in page
    assert T("order_why_store") in page and "配送" in page, "why this store, in Chinese"
    assert "candidate" not in page and "Delivery from" not in page
    browser.shot("order")
    browser.assert_healthy()
