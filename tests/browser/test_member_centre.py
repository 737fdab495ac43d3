"""The member centre: a new member signs in for the day on the calendar and sees the points in
the balance and the history; a message written for them shows in the inbox with the header's
unread badge, and reading it clears the badge."""
import random

from selenium.webdriver.common.by import By

from ui import C, T, body_text, button, click, fill, link, table_row_cells, text_appears, visible, wait


def new_member(api) -> tuple[str, str]:
    mobile = "136" + "".join(random.choice("0123456789") for _ in range(8))
    registered = api.ok("POST", "/auth/register", {"mobile": mobile, "password": "Welcome2026", "nickname": "签到达人"})
    return mobile, registered["tokens"]["accessToken"]


def sign_in(browser, mobile: str, next_path: str):
    d = browser.driver
    browser.open(f"/login?next={next_path}")
    d.find_element(By.ID, "login-id").send_keys(mobile)
    d.find_element(By.ID, "login-password").send_keys("Welcome2026")
    click(d, d.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]"))
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")


def test_daily_sign_in_earns_points_shown_in_balance_and_history(browser, api):
    d = browser.driver
    mobile, _ = new_member(api)
    sign_in(browser, mobile, "/member")
    text_appears(d, "h1", T("member_title"))
    assert visible(d, "#points-balance").text == "0"
    today = visible(d, ".sign-in-day.today")
    assert today.get_attribute("data-day") == "1"
    button = visible(d, "#sign-in-button")
    wait(d).until(lambda x: button.is_enabled())
    click(d, button)
    wait(d).until(lambda x: x.find_element(By.ID, "points-balance").text == "5")
    text_appears(d, "#sign-in-status", T("member_signed_in_today"))
    assert "done" in today.get_attribute("class")
    text_appears(d, "#points-ledger", T("points_kind_sign_in"))
    assert "+5" in visible(d, "#points-ledger").text
    browser.shot("signed-in")

    # Coming back the same day: the button says it is done and nothing more is earned.
    browser.open("/member")
    assert not visible(d, "#sign-in-button").is_enabled()
    assert visible(d, "#points-balance").text == "5"


def test_inbox_shows_the_members_messages_and_clears_the_badge(browser, api):
    d = browser.driver
    mobile, token = new_member(api)
    # A message for this member: a paid order tells its shopper.
    listing = api.ok("GET", "/products?sort=sales&per=20")["items"]
    placed = None
    for hit in listing:
        detail = api.ok("GET", f"/products/{hit['id']}?lat=31.2235&lng=121.4456")
        sku = next((s for s in detail["skus"] if s.get("available", 0) >= 1), None)
        if not sku:
            continue
        api.ok("POST", "/me/addresses", {"contactName": "收件人", "phone": mobile, "province": "上海市", "city": "上海市",
                                         "district": "静安区", "detail": "南京西路1601号", "latitude": 31.2235, "longitude": 121.4456},
               token=token)
        api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": 1}, token=token)
        placed = api.ok("POST", "/checkout", {}, token=token, headers={"Idempotency-Key": f"inbox-{mobile}"})
        break
    assert placed, "no product in stock near 静安区"
    api.pay_in_sandbox(placed, token)

    sign_in(browser, mobile, "/inbox")
    badge = visible(d, "#inbox-count")
    wait(d).until(lambda x: badge.is_displayed() and badge.text not in ("", "0"))
    unread = visible(d, ".inbox-item.unread")
    assert placed["orders"][0]["number"] in unread.text
    browser.shot("inbox")
    # The title, not the item's middle: the middle can be the "open the order" link, which
    # leaves the page before the message is marked read.
    click(d, unread.find_element(By.CSS_SELECTOR, ".inbox-title"))
    wait(d).until(lambda x: not x.find_elements(By.CSS_SELECTOR, ".inbox-item.unread"))
    wait(d).until(lambda x: not x.find_element(By.ID, "inbox-count").is_displayed())
    assert T("inbox_open_order") in body_text(d)


def test_staff_give_points_in_the_console_and_the_member_sees_them(browser, api):
    """HQ's admin opens a member's points from the member list, gives 120 with a reason and
    sees the balance and the history change in the dialog; the member's own balance and
    history say the same."""
    d = browser.driver
    mobile, token = new_member(api)

    browser.open("/console/login")
    fill(d, T("console_username"), "admin")
    fill(d, T("login_password"), "Demo@2026")
    click(d, button(d, T("login_submit")))
    visible(d, "#console-menu")
    click(d, link(d, T("console_menu_members")))
    fill(d, C("field.mobile"), mobile)
    click(d, button(d, C("table.apply")))
    table_row_cells(d, mobile)
    click(d, button(d, C("members.points"), exact=False))
    dialog = visible(d, "dialog[open]")
    wait(d).until(lambda x: C("points.empty") in dialog.text)

    fill(d, C("points.adjustBy"), "120")
    fill(d, C("field.reason"), "门店活动补发")
    click(d, button(d, C("points.adjust"), within=dialog))
    wait(d).until(lambda x: "门店活动补发" in dialog.text)
    summary = dialog.find_element(By.CSS_SELECTOR, ".points-summary")
    wait(d).until(lambda x: "120" in summary.text)
    row = dialog.find_element(By.CSS_SELECTOR, "tbody tr")
    assert C("pointsKind.admin_grant") in row.text and "+120" in row.text
    browser.shot("points-given")

    mine = api.ok("GET", "/me/points", token=token)
    assert mine["balance"] == 120
    ledger = api.ok("GET", "/me/points/ledger", token=token)["items"]
    assert [(e["kind"], e["points"], e["note"]) for e in ledger] == [("admin_grant", 120, "门店活动补发")]
