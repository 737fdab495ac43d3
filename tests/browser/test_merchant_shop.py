"""A shopper goes from a product of the demo's third-party fruit chain to its shop and follows it.

Product page → 进店逛逛 → /merchants/{id}: the merchant's name, its goods and its stores with a
map link; signed in as 13800138000, 关注店铺 raises the follower count and the API lists the shop
among the member's followed shops and the member centre's 关注的店铺 links to it; 取消关注 undoes it.
"""
from selenium.webdriver.common.by import By

from ui import T, button, click, fill, text_appears, visible, wait


def test_product_to_shop_and_follow(browser, api):
    d = browser.driver
    admin = api.staff_token("admin")
    fruit = next(m for m in api.ok("GET", "/admin/merchants", token=admin)["items"] if m["code"] == "XFRUIT")
    product = api.ok("GET", f"/products?merchantId={fruit['id']}&per=1")["items"][0]

    browser.open(f"/login?next=/product/{product['id']}")
    visible(d, "#login-form")
    fill(d, T("login_id"), "13800138000")
    fill(d, T("login_password"), "Shop@2026")
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: f"/product/{product['id']}" in x.current_url)
    click(d, d.find_element(By.CSS_SELECTOR, "a.shop-link"))
    wait(d).until(lambda x: f"/merchants/{fruit['id']}" in x.current_url)
    text_appears(d, "h1", fruit["name"])
    text_appears(d, ".product-grid", product["title"])
    assert d.find_elements(By.CSS_SELECTOR, ".shop-stores a[href^='https://uri.amap.com/marker']")
    browser.shot("shop")

    follow = visible(d, "#shop-follow")
    wait(d).until(lambda x: follow.is_enabled())
    click(d, follow)
    text_appears(d, "#shop-followers", T("shop_followers").replace("{n}", "1"))
    wait(d).until(lambda x: follow.text == T("shop_unfollow"))
    member = api.member_token("13800138000")
    assert [s["id"] for s in api.ok("GET", "/me/followed-merchants", token=member)] == [fruit["id"]]
    browser.shot("followed")
    browser.open("/member")
    click(d, d.find_element(By.CSS_SELECTOR, "a[href='/member/shops']"))
    text_appears(d, ".shop-list", fruit["name"])
    browser.shot("my-shops")
    click(d, d.find_element(By.CSS_SELECTOR, f".shop-list a[href='/merchants/{fruit['id']}']"))
    follow = visible(d, "#shop-follow")
    wait(d).until(lambda x: follow.is_enabled() and follow.text == T("shop_unfollow"))
    click(d, follow)
    text_appears(d, "#shop-followers", T("shop_followers").replace("{n}", "0"))
    assert api.ok("GET", "/me/followed-merchants", token=member) == []
