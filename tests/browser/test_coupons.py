"""A member claims a coupon in the coupon centre, sees it picked at checkout as the best
combination, pays, and finds it under "used" in My coupons. Runs at desktop and phone size.

Members who hold no demo coupons (13700137000 at desktop size, chen.jie@example.com at phone
size, so both runs share the demo server): sign in → 领券中心 → claim ¥5 无门槛券 → a
product in the cart for pickup at 静安寺店 (set up through the API) → checkout shows the coupon
ticked and ¥5.00 off → place → pay in the SANDBOX → My coupons → 已使用 lists it.
"""
import uuid

import pytest
from selenium.webdriver.common.by import By

from ui import T, body_text, button, click, fill, place_and_pay_in_sandbox, text_appears, visible, wait

MEMBERS = {"desktop": "13700137000", "phone": "chen.jie@example.com"}
PASSWORD = "Shop@2026"
PICKUP_STORE_CODE = "SH-JA01"
COUPON = "¥5 无门槛券"


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


@pytest.fixture
def fresh_member(api, size):
    """This size's member with an empty cart and no coupon of the ¥5 template yet."""
    login = MEMBERS[size]
    token = api.member_token(login, PASSWORD)
    for group in api.ok("GET", "/cart", token=token)["groups"]:
        for line in group["lines"]:
            api.ok("DELETE", f"/cart/lines/{line['skuId']}", token=token)
    template = next(t for t in api.ok("GET", "/coupons", token=token) if t["title"] == COUPON)
    if template["claimedByMe"]:
        pytest.skip("the member already claimed the demo coupon in an earlier run against this server")
    return {"token": token, "template": template, "login": login}


def fill_cart(api, token: str) -> dict:
    admin = api.staff_token("admin")
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=admin)["items"] if s["code"] == PICKUP_STORE_CODE)
    for hit in api.ok("GET", "/products?sort=sales&per=50")["items"]:
        product = api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")
        sku = next((s for s in product["skus"] if s.get("available", 0) >= 1 and s["priceFen"] > 500), None)
        if sku:
            break
    else:
        pytest.fail(f"no product in stock at {PICKUP_STORE_CODE}")
    api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": 1}, token=token)
    api.ok("PUT", f"/cart/fulfilments/{product['merchantId']}", {"mode": "pickup", "storeId": store["id"]}, token=token)
    return sku


def test_claim_a_coupon_use_it_at_checkout_and_see_it_used(browser, api, fresh_member):
    member = browser
    member.label = "member"
    d = member.driver

    # 1. Sign in and open the coupon centre.
    member.open("/login?next=/coupons")
    visible(d, "#login-form")
    fill(d, T("login_id"), fresh_member["login"])
    fill(d, T("login_password"), PASSWORD)
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")
    text_appears(d, "h1", T("coupons_title"))
    card = visible(d, f"#coupon-centre li[data-coupon='{fresh_member['template']['id']}']")
    assert COUPON in card.text and "¥5.00" in card.text
    member.shot("coupon-centre")

    # 2. Claim it: the button turns into "claimed" and the wallet has it.
    click(d, card.find_element(By.CSS_SELECTOR, "button"))
    wait(d).until(lambda x: x.find_element(By.CSS_SELECTOR, f"#coupon-centre li[data-coupon='{fresh_member['template']['id']}'] .coupon-status").text
                  == T("coupons_claimed"))
    mine = api.ok("GET", "/me/coupons", token=fresh_member["token"])["items"]
    coupon = next(c for c in mine if c["templateId"] == fresh_member["template"]["id"])
    member.shot("claimed")

    # 3. Checkout: the coupon is ticked as the best combination and takes ¥5.00 off.
    sku = fill_cart(api, fresh_member["token"])
    member.open("/checkout")
    box = visible(d, f"#checkout-coupons-list input[value='{coupon['id']}']", timeout=30)
    wait(d).until(lambda x: x.find_element(By.CSS_SELECTOR, f"#checkout-coupons-list input[value='{coupon['id']}']").is_selected())
    assert box.is_selected()
    text_appears(d, "#checkout-coupons-hint", T("checkout_coupons_best"))
    text_appears(d, "#checkout-coupons-list", T("checkout_coupons_saves").replace("{amount}", "¥5.00"))
    # The server's price with the coupon (the member's level may take a little more off).
    preview = api.ok("GET", f"/checkout/preview?couponIds={coupon['id']}", token=fresh_member["token"])
    assert preview["coupons"]["best"] == [coupon["id"]] and preview["payableFen"] <= sku["priceFen"] - 500
    text_appears(d, "#checkout-summary-body", yuan(preview["payableFen"]))
    member.shot("checkout-coupon-picked")

    # 4. Place and pay in the sandbox.
    place_and_pay_in_sandbox(d, yuan(preview["payableFen"]))
    member.shot("paid")

    # 5. My coupons: no longer usable, listed as used.
    member.open("/member/coupons")
    text_appears(d, "h1", T("coupons_mine"))
    wait(d).until(lambda x: x.find_element(By.ID, "my-coupons").get_attribute("aria-busy") == "false")
    assert not d.find_elements(By.CSS_SELECTOR, f"#my-coupons li[data-coupon='{coupon['id']}']")
    click(d, button(d, T("coupons_used")))
    visible(d, f"#my-coupons li[data-coupon='{coupon['id']}']")
    assert T("coupons_used") in d.find_element(By.CSS_SELECTOR, f"#my-coupons li[data-coupon='{coupon['id']}']").text
    member.shot("my-coupons-used")
    used = api.ok("GET", "/me/coupons?status=used", token=fresh_member["token"])["items"]
    assert [c["id"] for c in used] == [coupon["id"]]
    member.assert_healthy()
