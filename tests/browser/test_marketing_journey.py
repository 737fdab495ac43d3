"""The marketing "Done when" journey on the demo, as a new member would take it: sign up, claim
满99减15 in the coupon centre, fill the cart past the 满200减30 tier that comes with the 每日坚果
gift, check out for pickup at 静安寺店 with the coupon ticked, pay in the sandbox, collect the
order (the store's staff hand it over through the API), return one line on the order page and
read how its refund was worked out: the line's price less its shares of the promotion and the
coupon, which is exactly what the line was paid and what comes back. Runs at desktop and phone
size; each run signs up its own member.
"""
import random
import uuid
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from ui import T, button, click, fill, place_and_pay_in_sandbox, reload_until_text, text_appears, visible, wait

PASSWORD = "Welcome2026"
PICKUP_STORE_CODE = "SH-JA01"
COUPON = "满99减15"
TIERED = "满100减10 满200减30"
GIFT = "满99送每日坚果"


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


@pytest.fixture
def newcomer(api):
    """A member who signed up a moment ago, and the store the journey picks up from."""
    mobile = "135" + "".join(random.choice("0123456789") for _ in range(8))
    registered = api.ok("POST", "/auth/register", {"mobile": mobile, "password": PASSWORD, "nickname": "新会员"})
    admin = api.staff_token("admin")
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=admin)["items"] if s["code"] == PICKUP_STORE_CODE)
    return {"mobile": mobile, "token": registered["tokens"]["accessToken"], "store": store}


def fill_past_the_tier(api, token: str, store: dict) -> dict:
    """Two 三只松鼠 goods (the gift's brand and merchant) in stock at the store, not the gift: one
    enough to pass ¥200 on its own, the other a single unit — the line returned later."""
    gift_sku = next(p for p in api.ok("GET", "/promotions") if p["name"] == GIFT)["rule"]["giftSkuId"].lower()
    hits = api.ok("GET", "/products?q=" + quote("三只松鼠") + "&per=20")["items"]
    skus = []
    for hit in hits:
        product = api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")
        if product["merchantId"] != store["merchantId"]:
            continue
        skus += [(product, s) for s in product["skus"] if s["id"].lower() != gift_sku and s.get("available", 0) >= 1 and s["priceFen"] > 0]
    bulk = next(((p, s) for p, s in skus if s["available"] >= 20000 // s["priceFen"] + 1 and 20000 // s["priceFen"] + 1 <= 99), None)
    assert bulk, f"no 三只松鼠 goods in stock at {PICKUP_STORE_CODE} to reach ¥200"
    single = next(((p, s) for p, s in skus if s["id"] != bulk[1]["id"]), None)
    assert single, f"a second 三只松鼠 item in stock at {PICKUP_STORE_CODE} is needed"
    api.ok("POST", "/cart/lines", {"skuId": bulk[1]["id"], "quantity": 20000 // bulk[1]["priceFen"] + 1}, token=token)
    api.ok("POST", "/cart/lines", {"skuId": single[1]["id"], "quantity": 1}, token=token)
    api.ok("PUT", f"/cart/fulfilments/{store['merchantId']}", {"mode": "pickup", "storeId": store["id"]}, token=token)
    return {"returned_sku": single[1]}


def hand_over(api, order: dict, token: str):
    """The store's clerk accepts, picks, readies and hands the order over at the counter."""
    clerk = api.staff_token("ja.clerk")
    for step in ("accept", "pick", "ready"):
        api.ok("POST", f"/admin/orders/{order['id']}/{step}", token=clerk)
    code = api.ok("GET", f"/orders/{order['id']}", token=token)["pickupCode"]
    api.ok("POST", f"/admin/orders/{order['id']}/pickup", {"code": code}, token=clerk)


def test_new_member_claims_reaches_the_tier_pays_returns_a_line_and_sees_the_refund_explained(browser, api, newcomer):
    d = browser.driver
    token = newcomer["token"]

    # 1. Sign in and claim 满99减15 in the coupon centre.
    browser.open("/login?next=/coupons")
    visible(d, "#login-form")
    fill(d, T("login_id"), newcomer["mobile"])
    fill(d, T("login_password"), PASSWORD)
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")
    text_appears(d, "h1", T("coupons_title"))
    template = next(t for t in api.ok("GET", "/coupons", token=token) if t["title"] == COUPON)
    card = visible(d, f"#coupon-centre li[data-coupon='{template['id']}']")
    click(d, card.find_element(By.CSS_SELECTOR, "button"))
    wait(d).until(lambda x: x.find_element(By.CSS_SELECTOR, f"#coupon-centre li[data-coupon='{template['id']}'] .coupon-status").text
                  == T("coupons_claimed"))
    coupon = next(c for c in api.ok("GET", "/me/coupons", token=token)["items"] if c["templateId"] == template["id"])
    browser.shot("coupon-claimed")

    # 2. Past the ¥200 tier, for pickup; checkout ticks the coupon and explains tier, gift and coupon.
    cart = fill_past_the_tier(api, token, newcomer["store"])
    browser.open("/checkout")
    box = visible(d, f"#checkout-coupons-list input[value='{coupon['id']}']", timeout=30)
    if not box.is_selected():
        click(d, box)
    wait(d).until(lambda x: x.find_element(By.CSS_SELECTOR, f"#checkout-coupons-list input[value='{coupon['id']}']").is_selected())
    summary = visible(d, "#checkout-summary-body", timeout=30)
    wait(d).until(lambda x: f"{TIERED}：-¥30.00" in x.find_element(By.CSS_SELECTOR, "#checkout-summary-body").get_attribute("textContent"))
    explanation = summary.get_attribute("textContent")
    assert "赠品：" in explanation and f"{COUPON}：-¥15.00" in explanation, explanation
    preview = api.ok("GET", f"/checkout/preview?couponIds={coupon['id']}", token=token)
    text_appears(d, "#checkout-summary-body", yuan(preview["payableFen"]))
    browser.shot("checkout")

    # 3. Place and pay in the sandbox; the order page turns paid once the gateway calls back.
    place_and_pay_in_sandbox(d, yuan(preview["payableFen"]))
    orders = api.ok("GET", "/orders?per=10", token=token)["orders"]["items"]
    order = next(o for o in orders if any(l["skuId"] == cart["returned_sku"]["id"] for l in o["lines"]))
    assert api.ok("GET", "/me/coupons?status=used", token=token)["items"][0]["id"] == coupon["id"]

    # 4. The store hands the order over.
    hand_over(api, order, token)
    order = api.ok("GET", f"/orders/{order['id']}", token=token)
    line = next(l for l in order["lines"] if l["skuId"] == cart["returned_sku"]["id"])
    assert 0 < line["payableFen"] < line["unitPriceFen"], "the returned line carries shares of the tier and the coupon"

    # 5. Return that line on the order page, which lists the free gift (when the store still had
    # one: a gift out of stock is left out with a note) as 赠品 at ¥0.00.
    browser.open(f"/orders/{order['id']}")
    rows = [r.text for r in d.find_elements(By.CSS_SELECTOR, "#lines-heading ~ table tbody tr")]
    gifts = [l for l in order["lines"] if l["unitPriceFen"] == 0]
    assert len([row for row in rows if "赠品" in row and "¥0.00" in row]) == len(gifts), rows
    form = visible(d, "#aftersales-form")
    click(d, d.find_element(By.CSS_SELECTOR, "label[for='as-return']"))
    quantity = form.find_element(By.ID, f"as-line-{line['id']}")
    quantity.clear()
    quantity.send_keys("1")
    d.find_element(By.ID, "as-description").send_keys("买多了，退回一件。")
    click(d, button(d, T("aftersales_submit")))
    text_appears(d, ".aftersales-cases", T("aftersales_refund_how").split("（")[0], timeout=20)
    explained = visible(d, ".refund-explanation").text
    price, paid = yuan(line["unitPriceFen"]), yuan(line["payableFen"])
    assert price in explained and "促销分摊" in explained and "优惠券分摊" in explained and f"退款 {paid}" in explained, explained
    browser.shot("return-requested")

    # 6. The store's manager (clerks do not decide after-sales) approves, receives and inspects
    # the return; the member sees the refund.
    case = next(c for c in api.ok("GET", "/after-sales", token=token)["items"] if c["orderId"] == order["id"])
    assert case["requestedRefundFen"] == line["payableFen"]
    manager = api.staff_token("ja.manager")
    api.ok("POST", f"/admin/after-sales/{case['id']}/approve", token=manager)
    api.ok("POST", f"/after-sales/{case['id']}/return-shipment", {"carrier": "sf", "trackingNumber": f"SF{uuid.uuid4().int % 10**10:010d}"},
           token=token)
    api.ok("POST", f"/admin/after-sales/{case['id']}/receive", token=manager)
    api.ok("POST", f"/admin/after-sales/{case['id']}/inspect", {"passed": True}, token=manager)
    reload_until_text(d, ".aftersales-cases", T("aftersales_status_refunded"), timeout=40)
    text_appears(d, ".totals", paid)
    assert api.ok("GET", f"/orders/{order['id']}", token=token)["refundedFen"] == line["payableFen"]
    browser.shot("refunded")
    browser.assert_healthy()
