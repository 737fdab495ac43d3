"""Two members fill a two-person group buy from the storefront, each in their own browser.

Set-up (API): HQ creates a two-person group buy of the demo group buy's SKU, running now.
Member A (13800138000): /group-buys/{id} → "open a group" → pays in the sandbox; the group page
shows them as the opener with one slot left, a countdown and a share link with a copy button.
Member B (chen.jie@example.com), second browser: the shared group page → "join" → pays; the
group fills and both orders go on to the store (status paid).
"""
import re
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By

from ui import T, click, sign_in_member, text_appears, visible, wait

MEMBER_A = ("13800138000", "Shop@2026")
MEMBER_B = ("chen.jie@example.com", "Shop@2026")


def take_place(member, api, login, box, action):
    """Clicks open or join inside `box`, then pays the order in the sandbox; returns the group's path."""
    d = member.driver
    click(d, box.find_element(By.CSS_SELECTOR, action))
    wait(d).until(lambda x: box.find_elements(By.CSS_SELECTOR, ".group-pay"))
    pay = box.find_element(By.CSS_SELECTOR, ".group-pay")
    order_id = pay.get_attribute("href").rstrip("/").split("/")[-1]
    token = api.member_token(*login)
    api.pay_in_sandbox({"payment": {"id": pay.get_attribute("data-payment")}, "orders": [{"id": order_id, "number": order_id}]}, token)
    return box.find_element(By.CSS_SELECTOR, ".group-view").get_attribute("pathname"), order_id, token


def test_open_join_and_fill_a_group(browser, new_browser, api):
    demo = api.ok("GET", "/group-buys")
    assert demo, "the demo has a running group buy"
    admin = api.staff_token("admin")
    now = datetime.now(timezone.utc)
    activity = api.ok("POST", "/admin/marketing/group-buys", {
        "title": "两人团 · 浏览器测试", "skuId": demo[0]["skuId"], "storeId": demo[0]["storeId"], "groupPriceFen": demo[0]["groupPriceFen"],
        "groupSize": 2, "timeLimitMinutes": 60, "perMemberLimit": 20, "virtualFill": 0,
        "startsAt": (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endsAt": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }, token=admin)

    opener = browser
    opener.label = "opener"
    d = opener.driver
    sign_in_member(opener, f"/group-buys/{activity['id']}", MEMBER_A)
    text_appears(d, "h1", activity["title"])
    opener.shot("activity")
    head = visible(d, ".group-buy-head")
    group_path, first_order, first_token = take_place(opener, api, MEMBER_A, head, ".group-open")
    assert api.ok("GET", f"/orders/{first_order}", token=first_token)["status"] == "awaiting_group"

    opener.open(group_path)
    card = visible(d, ".group-card")
    text_appears(d, ".group-card", T("group_opener"))
    assert T("group_slots_left").replace("{n}", "1") in card.text
    countdown = card.find_element(By.CSS_SELECTOR, "[data-countdown]")
    wait(d).until(lambda x: re.fullmatch(r"\d\d:\d\d:\d\d", countdown.text))
    link = card.find_element(By.CSS_SELECTOR, ".group-share-link").get_attribute("value")
    assert link.endswith(group_path)
    click(d, card.find_element(By.CSS_SELECTOR, ".group-copy"))
    text_appears(d, ".group-card .form-message", T("group_copied"))
    opener.shot("group-opened")
    opener.assert_healthy()

    friend = new_browser(label="friend")
    f = friend.driver
    sign_in_member(friend, group_path, MEMBER_B)
    box = visible(f, ".group-card")
    _, second_order, second_token = take_place(friend, api, MEMBER_B, box, ".group-join")
    friend.open(group_path)
    text_appears(f, ".group-card", T("group_status_filled"))
    friend.shot("group-filled")
    friend.assert_healthy()

    opener.open(group_path)
    text_appears(d, ".group-card", T("group_status_filled"))
    assert api.ok("GET", f"/orders/{first_order}", token=first_token)["status"] == "paid"
    assert api.ok("GET", f"/orders/{second_order}", token=second_token)["status"] == "paid"
