"""A member has a flash-sale buy delivered instead of collecting it.

Member (13800138000, whose demo address is in 静安区): /flash-sales → 送货上门 → the address
picker shows their address → buy one unit of the live session's last item → "pay now" → the
order is a delivery to that address from the item's store at the flash price.

A store delivers only while it is open (or about to open), and the demo's stores close at 22:00
Shanghai time, so the test keeps the item's store open all day while it runs: otherwise it would
pass or fail by the hour it runs at.
"""
import contextlib

from selenium.webdriver.common.by import By

from ui import click, sign_in_member, visible, wait

MEMBER = ("13800138000", "Shop@2026")


def test_flash_sale_delivered_to_my_address(browser, api):
    live = next((s for s in api.ok("GET", "/flash-sales") if s["phase"] == "live"), None)
    assert live, "the demo has a session live now"
    item = live["items"][-1]
    token = api.member_token(*MEMBER)
    address = api.ok("GET", "/me/addresses", token=token)[0]
    with open_all_day(api, item["storeId"]):
        buy_delivered(browser, api, live, item, token, address)


@contextlib.contextmanager
def open_all_day(api, store_id):
    admin = api.staff_token("admin")
    usual = api.ok("GET", f"/admin/stores/{store_id}", token=admin)["openingHours"]
    all_day = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    api.ok("PATCH", f"/admin/stores/{store_id}", {"openingHours": all_day}, token=admin)
    try:
        yield
    finally:
        api.ok("PATCH", f"/admin/stores/{store_id}", {"openingHours": usual}, token=admin)


def buy_delivered(browser, api, live, item, token, address):

    d = browser.driver
    sign_in_member(browser, "/flash-sales", MEMBER)

    choice = visible(d, "#flash-fulfilment")
    assert not d.find_element(By.ID, "flash-address-field").is_displayed(), "pickup is the default"
    click(d, choice.find_element(By.CSS_SELECTOR, 'label[for="flash-delivery"]'))
    picker = visible(d, "#flash-address")
    assert picker.get_attribute("value") == address["id"]
    assert address["detail"] in picker.text
    browser.shot("delivery-chosen")

    session = visible(d, f'[data-session="{live["id"]}"]')
    card = session.find_element(By.CSS_SELECTOR, f'.flash-item[data-sku="{item["skuId"]}"]')
    click(d, card.find_element(By.CSS_SELECTOR, ".flash-buy"))
    wait(d).until(lambda x: card.find_elements(By.CSS_SELECTOR, ".flash-pay"))
    order_id = card.find_element(By.CSS_SELECTOR, ".flash-pay").get_attribute("href").rstrip("/").split("/")[-1]
    order = api.ok("GET", f"/orders/{order_id}", token=token)
    assert order["fulfilment"] == "delivery" and order["storeId"] == item["storeId"], order
    assert order["deliveryAddress"]["detail"] == address["detail"]
    assert order["payableFen"] == item["flashPriceFen"] and order["status"] == "pending_payment"
    browser.shot("bought")
    browser.assert_healthy()
