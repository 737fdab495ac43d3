"""A shopper finds the running group buys from the home page.

Guest: / → the 拼团 link under the banners → /group-buys lists the demo's running group buy with
its group price against the regular price, its group size and the groups open → the card opens
/group-buys/{id}.
"""
from selenium.webdriver.common.by import By

from ui import T, click, text_appears, visible, wait


def yuan(fen: int) -> str:
    return f"¥{fen / 100:.2f}"


def test_group_buy_list_from_the_home_page(browser, api):
    running = api.ok("GET", "/group-buys")
    assert running, "the demo has a running group buy"
    activity = running[0]

    d = browser.driver
    browser.open("/")
    offers = visible(d, ".home-offers")
    click(d, offers.find_element(By.CSS_SELECTOR, 'a[href="/group-buys"]'))
    wait(d).until(lambda x: x.current_url.endswith("/group-buys"))
    text_appears(d, "h1", T("group_list_title"))

    card = visible(d, f'.group-buy-item a[href="/group-buys/{activity["id"]}"]')
    assert activity["title"] in card.text
    price = card.find_element(By.CSS_SELECTOR, ".price")
    assert T("group_price_label") in price.text and yuan(activity["groupPriceFen"]) in price.text
    assert price.find_element(By.CSS_SELECTOR, "del").text == yuan(activity["listPriceFen"])
    facts = card.find_element(By.CSS_SELECTOR, ".group-buy-facts").text
    assert T("group_size").replace("{n}", str(activity["groupSize"])) in facts
    open_now = len(api.ok("GET", f"/group-buys/{activity['id']}")["openGroups"])
    assert T("group_open_count").replace("{n}", str(open_now)) in facts
    browser.shot("group-buys")
    browser.assert_healthy()

    click(d, card)
    wait(d).until(lambda x: x.current_url.endswith(f"/group-buys/{activity['id']}"))
    text_appears(d, "h1", activity["title"])
