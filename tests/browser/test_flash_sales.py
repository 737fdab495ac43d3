"""A member buys in today's live flash sale from the storefront page with its countdown; staff
see the session and its live panel in the console.

Member (chen.jie@example.com): /flash-sales → the live session's countdown ticks → buy one unit
→ "pay now" links to an order waiting for payment at the flash price.
Admin: console → 限时秒杀 lists the session; its live panel shows the unit sold.
"""
import re

from selenium.webdriver.common.by import By

from ui import C, T, click, sign_in_member, sign_in_staff, table_row_cells, text_appears, visible, wait

MEMBER = ("chen.jie@example.com", "Shop@2026")
ADMIN = ("admin", "Demo@2026")


def test_buy_in_a_live_flash_sale(browser, new_browser, api):
    live = next((s for s in api.ok("GET", "/flash-sales") if s["phase"] == "live"), None)
    assert live, "the demo has a session live now"
    item = live["items"][0]

    member = browser
    member.label = "member"
    d = member.driver
    sign_in_member(member, "/flash-sales", MEMBER)
    text_appears(d, "h1", T("flash_title"))

    session = visible(d, f'[data-session="{live["id"]}"]')
    countdown = session.find_element(By.CSS_SELECTOR, "[data-countdown]")
    wait(d).until(lambda x: re.fullmatch(r"\d\d:\d\d:\d\d", countdown.text))
    first = countdown.text
    wait(d, 5).until(lambda x: countdown.text != first)
    member.shot("flash-sales")

    card = session.find_element(By.CSS_SELECTOR, f'.flash-item[data-sku="{item["skuId"]}"]')
    click(d, card.find_element(By.CSS_SELECTOR, ".flash-buy"))
    wait(d).until(lambda x: card.find_elements(By.CSS_SELECTOR, ".flash-pay"))
    member.shot("bought")
    click(d, card.find_element(By.CSS_SELECTOR, ".flash-pay"))
    wait(d).until(lambda x: "/orders/" in x.current_url)
    text_appears(d, "main", T("status_pending_payment"))
    token = api.member_token(*MEMBER)
    order_id = d.current_url.rstrip("/").split("/")[-1]
    order = api.ok("GET", f"/orders/{order_id}", token=token)
    assert order["payableFen"] == item["flashPriceFen"] and order["status"] == "pending_payment"
    member.assert_healthy()
    # The server is shared by the desktop and phone runs: count what the API says was sold.
    sold = next(i for s in api.ok("GET", "/flash-sales") if s["id"] == live["id"] for i in s["items"] if i["skuId"] == item["skuId"])["sold"]
    assert sold >= 1

    staff = new_browser(label="admin")
    s = staff.driver
    sign_in_staff(staff, "/console/flash-sales", ADMIN)
    text_appears(s, "#console-main h1", C("flash.title"))
    table_row_cells(s, live["title"])
    row = next(r for r in s.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if live["title"] in r.text)
    click(s, row.find_element(By.XPATH, f'.//button[normalize-space()="{C("flash.live")}"]'))
    text_appears(s, "dialog .flash-live", C("flash.refusals"))
    wait(s).until(lambda x: f"{sold} / {item['quota']}" in x.find_element(By.CSS_SELECTOR, "dialog .flash-live").text)
    staff.shot("console-live")
    staff.assert_healthy()
