"""Promotions in the storefront: the product page shows the running promotions as badges, and a
cart that reaches the demo's 满200减30 tier and its ¥99 gift checks out with the discount and the
free gift line explained, in Chinese; HQ's console lists the promotions and its live panel
counts the order. Runs at desktop and phone size.
"""
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from ui import C, T, button, choose, click, field, fill, visible, wait

SHOPPER = ("13800138000", "Shop@2026")
PICKUP_STORE_CODE = "SH-JA01"
PICKUP_STORE_NAME = "静安寺店"
TIERED = "满100减10 满200减30"
GIFT = "满99送每日坚果"


def _emptied_cart(api):
    """The shopper's token with their cart emptied, and the pickup store."""
    token = api.member_token(*SHOPPER)
    for group in api.ok("GET", "/cart", token=token)["groups"]:
        for line in group["lines"]:
            api.ok("DELETE", f"/cart/lines/{line['skuId']}", token=token)
    staff = api.staff_token("admin")
    return token, next(s for s in api.ok("GET", "/admin/stores?per=100", token=staff)["items"] if s["code"] == PICKUP_STORE_CODE)


def _sign_in(browser, next_path):
    d = browser.driver
    browser.open(f"/login?next={next_path}")
    visible(d, "#login-form")
    fill(d, T("login_id"), SHOPPER[0])
    fill(d, T("login_password"), SHOPPER[1])
    click(d, button(d, T("login_submit")))


@pytest.fixture
def promoted_cart(api):
    """The shopper's cart emptied, then filled with enough of one 三只松鼠 product (the gift's
    brand and merchant, stocked at the pickup store) to pass ¥200."""
    token, store = _emptied_cart(api)
    gift_sku = next(p for p in api.ok("GET", "/promotions") if p["name"] == GIFT)["rule"]["giftSkuId"].lower()
    hits = api.ok("GET", "/products?q=" + quote("三只松鼠") + "&per=20")["items"]
    products = [api.ok("GET", f"/products/{h['id']}?storeId={store['id']}") for h in hits]
    gift_product = next(p for p in products if any(s["id"].lower() == gift_sku for s in p["skus"]))
    # Goods other than the gift, in stock at the store, to pass ¥200 on their own.
    for product in products:
        for sku in product["skus"]:
            quantity = 20000 // max(sku["priceFen"], 1) + 1
            if sku["id"].lower() != gift_sku and sku.get("available", 0) >= quantity and quantity <= 99:
                api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": quantity}, token=token)
                return {"product": gift_product, "sku": sku, "quantity": quantity}
    pytest.fail("no 三只松鼠 goods in stock at the pickup store to reach ¥200")


def test_promotion_tier_and_gift_at_checkout(browser, new_browser, promoted_cart):
    d = browser.driver
    _sign_in(browser, "/")
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")

    # The product page lists the promotions that cover it.
    browser.open(f"/product/{promoted_cart['product']['id']}")
    badges = visible(d, "#product-promotions-list")
    wait(d).until(lambda x: TIERED in badges.text and GIFT in badges.text)
    browser.shot("product-promotions")

    # Checkout with pickup: the tier's ¥30 and the gift show in the explanation.
    browser.open("/checkout")
    pickup = field(d, T("checkout_pickup"))
    click(d, d.find_element(By.CSS_SELECTOR, f"label[for='{pickup.get_attribute('id')}']"))
    choose(d, T("checkout_store"), text=PICKUP_STORE_NAME, partial=True)
    summary = visible(d, "#checkout-summary-body", timeout=30)
    wait(d).until(lambda x: "满 ¥200.00 减 ¥30.00" in x.find_element(By.CSS_SELECTOR, "#checkout-summary-body").get_attribute("textContent"))
    explanation = summary.get_attribute("textContent")
    assert f"{TIERED}：-¥30.00" in explanation, explanation
    assert "赠品：" in explanation and "三只松鼠" in explanation, explanation
    browser.shot("checkout-preview")

    click(d, button(d, T("checkout_place")))
    result = visible(d, "#checkout-result", timeout=30)
    wait(d).until(lambda x: "赠品：" in x.find_element(By.ID, "checkout-result").text)
    assert f"{TIERED}：-¥30.00" in result.text
    browser.shot("order-placed")

    # HQ's console: the promotions list with statuses, and the live panel of the tier counts the order.
    admin = new_browser("admin")
    c = admin.driver
    admin.open("/console/login")
    fill(c, T("console_username"), "admin")
    fill(c, T("login_password"), "Demo@2026")
    click(c, button(c, T("login_submit")))
    visible(c, "#console-menu")
    admin.open("/console/promotions")
    row = wait(c).until(lambda x: next((r for r in x.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if TIERED in r.text), None))
    assert C("promoStatus.running") in row.text
    click(c, row.find_element(By.XPATH, f".//button[normalize-space()='{C('promo.live')}']"))
    wait(c).until(lambda x: int(x.find_element(By.CSS_SELECTOR, ".promo-live .promo-orders").text or 0) >= 1)
    admin.shot("console-promotion-live")

    # The editor sets the scope with pickers: categories, brands, products, stores, levels, new members.
    click(c, button(c, C("promo.new")))
    dialog = visible(c, "dialog[open]")
    assert C("promo.scopeCategories") in dialog.text and C("promo.scopeNewMembers") in dialog.text
    pickers = dialog.find_elements(By.CSS_SELECTOR, "select[multiple]")
    assert len(pickers) == 4 and all(p.find_elements(By.TAG_NAME, "option") for p in pickers)
    admin.shot("console-promotion-scope")


def test_cart_shows_tier_discount_and_hint(browser, api):
    """A cart between ¥100 and ¥200 shows the ¥10 tier on its lines and what the ¥30 tier still
    needs; product cards carry the 满减 badge."""
    token, store = _emptied_cart(api)
    hits = api.ok("GET", "/products?q=" + quote("三只松鼠") + "&per=20")["items"]
    chosen = None
    for hit in hits:
        for sku in api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")["skus"]:
            quantity = -(-10000 // max(sku["priceFen"], 1))
            if quantity <= 99 and sku["priceFen"] * quantity < 20000 and sku.get("available", 0) >= quantity:
                chosen = (hit, sku, quantity)
                break
        if chosen:
            break
    assert chosen, "no 三只松鼠 goods at the pickup store to land between ¥100 and ¥200"
    hit, sku, quantity = chosen
    api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": quantity}, token=token)
    api.ok("PUT", f"/cart/fulfilments/{hit['merchantId']}", {"mode": "pickup", "storeId": store["id"]}, token=token)

    d = browser.driver
    _sign_in(browser, "/cart")
    panel = visible(d, "#cart-promotions", timeout=30)
    text = panel.text
    assert TIERED in text and "再买" in text and "减 ¥30.00" in text, text
    line = visible(d, ".line-discount")
    assert f"{TIERED} -¥10.00" in line.text, line.text
    assert "-¥10.00" in visible(d, "#cart-discount").text
    browser.shot("cart-promotions")

    # Cards on the home page carry the badge of the 满减 that covers everything.
    browser.open("/")
    wait(d).until(lambda x: any(b.text == "满减" for b in x.find_elements(By.CSS_SELECTOR, ".product-card .promotion-badge")))
    browser.shot("card-badges")
