"""A shopper buys for store pickup and collects the order; the store's clerk fulfils it in the
console. Runs at desktop and phone size; every step is screenshotted.

Shopper: sign in → search "牛奶" → open a product with specs → pick the pickup store and a spec →
add to cart → cart → checkout with pickup at 静安寺店 → SANDBOX pay page → the order page → my
orders. Clerk (ja.clerk, a second browser): console sign-in → orders → the order → accept →
pick → ready for pickup → writes off the code the shopper's order page shows. Shopper: reloads,
sees it picked up, confirms receipt and sees it completed.
"""
import re
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from ui import C, T, body_text, button, choose, click, field, fill, link, reload_until_text, text_appears, visible, wait

SHOPPER = ("13800138000", "Shop@2026")
KEYWORD = "牛奶"
PICKUP_STORE_CODE = "SH-JA01"
PICKUP_STORE_NAME = "静安寺店"
CLERK = ("ja.clerk", "Demo@2026")


@pytest.fixture
def pickup_plan(api):
    """A product found by the keyword with at least two SKUs, one of them in stock at the
    pickup store; the shopper's cart emptied so the order holds only this line."""
    token = api.member_token(*SHOPPER)
    cart = api.ok("GET", "/cart", token=token)
    for group in cart["groups"]:
        for line in group["lines"]:
            api.ok("DELETE", f"/cart/lines/{line['skuId']}", token=token)
    staff = api.staff_token("admin")
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=staff)["items"] if s["code"] == PICKUP_STORE_CODE)
    hits = api.ok("GET", "/products?q=" + quote(KEYWORD) + "&per=20")["items"]
    for hit in hits:
        product = api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")
        if len(product["skus"]) < 2 or not product["specs"]:
            continue
        sku = next((s for s in product["skus"] if s.get("available", 0) >= 2), None)
        if sku:
            return {"product": product, "sku": sku, "store": store}
    pytest.fail(f"no product for {KEYWORD!r} with specs and stock at {PICKUP_STORE_CODE}")


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def console_status(driver, status: str):
    """Waits until the console's order heading shows the status badge."""
    expected = C(f"orderStatus.{status}")
    wait(driver).until(lambda d: expected in d.find_element(By.CSS_SELECTOR, "#console-main h1").text)


def test_shopper_pickup_journey(browser, new_browser, pickup_plan):
    product, sku, store = pickup_plan["product"], pickup_plan["sku"], pickup_plan["store"]
    shopper = browser
    shopper.label = "shopper"
    d = shopper.driver

    # 1. Sign in.
    shopper.open("/login?next=/")
    visible(d, "#login-form")
    fill(d, T("login_id"), SHOPPER[0])
    fill(d, T("login_password"), SHOPPER[1])
    shopper.shot("login")
    click(d, button(d, T("login_submit")))
    # Read in one script call: a node looked up before the redirect lands belongs to the old page.
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")
    shopper.shot("signed-in-home")

    # 2. Search by keyword from the header.
    search = visible(d, "#site-search")
    search.send_keys(KEYWORD)
    click(d, button(d, T("search_button"), within=d.find_element(By.CSS_SELECTOR, "form[role=search]")))
    wait(d).until(lambda x: "/search" in x.current_url)
    cards = wait(d).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".product-card a"))
    assert any(KEYWORD in card.text for card in cards), "search results do not show the keyword"
    shopper.shot("search-results")

    # 3. Open the product.
    card = next(c for c in cards if c.get_attribute("href").lower().endswith("/product/" + product["id"].lower()))
    click(d, card)
    text_appears(d, ".buy-box h1", product["title"])
    shopper.shot("product")

    # 4. Stock at the pickup store, then pick the spec.
    choose(d, T("product_store"), text=store["name"])
    click(d, button(d, T("product_check_stock")))
    wait(d).until(lambda x: "storeId=" in x.current_url)
    spec_value = sku["specTitle"].split(" / ")[0] if len(product["specs"]) == 1 else None
    assert spec_value, "journey expects a one-dimension spec product"
    radio = d.find_element(By.XPATH, f"//fieldset[contains(@class,'spec-group')]//input[@value='{spec_value}']")
    click(d, d.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']"))
    assert radio.is_selected()
    text_appears(d, "#buy-price", yuan(sku["priceFen"]))
    shopper.shot("spec-picked")

    # 5. Add to cart.
    click(d, button(d, T("product_add_to_cart")))
    text_appears(d, "#buy-message", T("product_added"))
    text_appears(d, "#cart-count", "1")
    shopper.shot("added-to-cart")

    # 6. Cart.
    click(d, link(d, T("nav_cart")))
    go = visible(d, "#go-checkout")
    assert product["title"] in d.find_element(By.ID, "cart").text
    shopper.shot("cart")
    click(d, go)

    # 7. Checkout with pickup at the store.
    wait(d).until(lambda x: x.current_url.endswith("/checkout"))
    pickup = field(d, T("checkout_pickup"))
    click(d, d.find_element(By.CSS_SELECTOR, f"label[for='{pickup.get_attribute('id')}']"))
    choose(d, T("checkout_store"), text=PICKUP_STORE_NAME, partial=True)
    wait(d).until(lambda x: PICKUP_STORE_NAME in field(x, T("checkout_store")).find_element(By.CSS_SELECTOR, "option:checked").text)
    shopper.shot("checkout-pickup")
    click(d, button(d, T("checkout_place")))
    result = visible(d, "#checkout-result", timeout=30)
    order_link = visible(d, "#checkout-result a.order-link-result")
    order_number = order_link.text.strip()
    order_id = order_link.get_attribute("href").rstrip("/").split("/")[-1]
    assert re.fullmatch(r"M\w+", order_number), order_number
    assert yuan(sku["priceFen"]) in result.text
    shopper.shot("order-placed")

    # 8. Pay on the SANDBOX gateway's page.
    click(d, visible(d, "#checkout-result button[data-provider='sandbox']"))
    wait(d).until(lambda x: "/sandbox/pay/" in x.current_url)
    assert "SANDBOX" in body_text(d)
    assert order_number in body_text(d)
    shopper.shot("sandbox-pay-page")
    click(d, button(d, "确认支付", exact=False))
    back = visible(d, "#return-to-shop")
    shopper.shot("sandbox-paid")
    click(d, back)
    # The gateway's notification is a background job: the page may need a moment.
    reload_until_text(d, "#order-status", T("status_paid"))
    shopper.shot("order-paid")

    # 9. My orders lists it.
    click(d, link(d, T("nav_orders")))
    text_appears(d, ".order-list", order_number)
    shopper.shot("my-orders")

    # 10. The pickup store's clerk signs in to the console (second browser session).
    clerk = new_browser("clerk")
    c = clerk.driver
    clerk.open("/console/login")
    fill(c, T("console_username"), CLERK[0])
    fill(c, T("login_password"), CLERK[1])
    clerk.shot("console-login")
    click(c, button(c, T("login_submit")))
    visible(c, "#console-menu")
    clerk.shot("console-home")

    # 11. Orders section → the order.
    click(c, link(c, T("console_menu_orders")))
    row_link = link(c, order_number, timeout=30)
    clerk.shot("console-orders")
    click(c, row_link)
    text_appears(c, "#console-main h1", order_number)
    console_status(c, "paid")
    clerk.shot("console-order")

    # 12. Accept, pick, ready for pickup.
    for action, status in (("orders.accept", "accepted"), ("orders.pick", "picking"), ("orders.ready", "ready_for_pickup")):
        click(c, button(c, C(action)))
        console_status(c, status)
        clerk.shot(f"console-{status}")

    # 13. The shopper's order page shows the pickup code.
    shopper.open(f"/orders/{order_id}")
    text_appears(d, "#order-status", T("status_ready_for_pickup"))
    code = visible(d, "#pickup-code").text.strip()
    assert re.fullmatch(r"\d{6}", code), f"pickup code {code!r}"
    shopper.shot("pickup-code")

    # 14. The clerk writes it off.
    fill(c, C("orders.pickupCodeEntry"), code)
    click(c, button(c, C("orders.pickup")))
    console_status(c, "picked_up")
    clerk.shot("console-picked-up")
    clerk.assert_healthy()

    # 15. The shopper reloads: picked up, the code is gone; confirming receipt completes it.
    d.refresh()
    text_appears(d, "#order-status", T("status_picked_up"))
    assert not d.find_elements(By.ID, "pickup-code")
    shopper.shot("picked-up")
    shopper.assert_healthy()
    confirm = d.find_elements(By.CSS_SELECTOR, "#order-actions [data-order-action='confirm']")
    assert confirm, "a picked-up order offers no 'confirm receipt' button on the shopper's order page"
    click(d, confirm[0])
    text_appears(d, "#order-status", T("status_completed"))
    shopper.shot("completed")
    shopper.assert_healthy()
