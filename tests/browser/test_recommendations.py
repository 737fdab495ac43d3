"""A shopper sees recommendations change after viewing products.

Set-up through the API (not under test): a new member with no history, and a demo product with
看了又看 neighbours (the demo seeds guests' browsing and computes the neighbours at start).
Member: sign in → the home page's 猜你喜欢 shows best sellers → open the product: its 看了又看 row
lists the neighbours, with recommended-tag badges where they have any → back home, 猜你喜欢 now
leads with that product's neighbours (never the product itself) → the cart page shows them too.
"""
import random

from selenium.webdriver.common.by import By

from ui import T, text_appears, visible, wait
from test_member_levels import sign_in

PASSWORD = "Recs2026"


def titles(driver, css: str) -> list[str]:
    return [node.text for node in driver.find_elements(By.CSS_SELECTOR, f"{css} .product-title")]


def test_recommendations_follow_what_the_shopper_views(browser, api):
    mobile = "135" + "".join(random.choice("0123456789") for _ in range(8))
    api.ok("POST", "/auth/register", {"mobile": mobile, "password": PASSWORD, "nickname": "推荐测试"})
    viewed = None
    for hit in api.ok("GET", "/products?sort=sales&per=50")["items"]:
        rows = api.ok("GET", f"/products/{hit['id']}/recommendations")
        if len(rows["alsoViewed"]) >= 3:
            viewed = (hit, rows)
            break
    assert viewed, "no demo product has 看了又看 neighbours"
    product, rows = viewed
    neighbours = {item["title"] for item in rows["alsoViewed"] + rows["alsoBought"]}

    d = browser.driver
    sign_in(browser, (mobile, PASSWORD))
    browser.open("/")
    section = "[data-recommendations='me']"
    text_appears(d, f"{section} h2", T("rec_for_you"))
    wait(d).until(lambda x: len(titles(x, section)) > 0)
    before = titles(d, section)
    browser.shot("home-best-sellers")

    browser.open(f"/product/{product['id']}")
    also_viewed = "[data-list='alsoViewed']"
    text_appears(d, f"{also_viewed} h2", T("rec_also_viewed"))
    wait(d).until(lambda x: len(titles(x, also_viewed)) >= 3)
    assert titles(d, also_viewed)[:3] == [item["title"] for item in rows["alsoViewed"][:3]]
    browser.shot("product-also-viewed")

    browser.open("/")
    wait(d).until(lambda x: len(titles(x, section)) > 0)
    after = titles(d, section)
    assert after != before, "viewing a product changes 猜你喜欢"
    assert after[0] in neighbours, f"{after[0]!r} is not among {neighbours}"
    assert product["title"] not in after, "the product being looked at is not recommended back"
    browser.shot("home-after-viewing")

    browser.open("/cart")
    visible(d, "#cart")
    wait(d).until(lambda x: len(titles(x, section)) > 0)
    assert titles(d, section)[0] == after[0]
    browser.assert_clean_console()
