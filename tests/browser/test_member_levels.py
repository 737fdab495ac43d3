"""Member levels and points, as a member and as HQ sees them on the demo.

Member: 赵先生 (钻石 in the demo) checks out a pickup order and pays part of it with points:
the checkout page shows the balance, what points are worth and this order's cap, "use the most"
fills in the cap, the price explanation shows the points and the level's discount before the
order is placed, and the placed order's explanation agrees. 小王 (金卡) opens the level page:
the level card, progress to 钻石 per condition, every level's rights and the history.
HQ (admin): the console's member levels list, and a member's level details from the members list.
"""
from selenium.webdriver.common.by import By

from ui import C, T, button, click, field, link, table_row_cells, text_appears, visible, wait

DIAMOND = ("13700137000", "Shop@2026")
GOLD = ("13800138000", "Shop@2026")
PICKUP_STORE_CODE = "SH-JA01"
PICKUP_STORE_NAME = "静安寺店"


def sign_in(browser, login):
    d = browser.driver
    browser.open("/login?next=/")
    visible(d, "#login-form")
    field(d, T("login_id")).send_keys(login[0])
    field(d, T("login_password")).send_keys(login[1])
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")


def cart_with_one_product(api, token):
    """Empties the member's cart and puts in one SKU the pickup store has, picked up there."""
    cart = api.ok("GET", "/cart", token=token)
    for group in cart["groups"]:
        for line in group["lines"]:
            api.ok("DELETE", f"/cart/lines/{line['skuId']}", token=token)
    staff = api.staff_token("admin")
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=staff)["items"] if s["code"] == PICKUP_STORE_CODE)
    for hit in api.ok("GET", "/products?sort=sales&per=50")["items"]:
        detail = api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")
        sku = next((s for s in detail["skus"] if s.get("available", 0) >= 2 and s["priceFen"] >= 2000), None)
        if sku and detail["merchantId"] == store["merchantId"]:
            api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": 1}, token=token)
            api.ok("PUT", f"/cart/fulfilments/{store['merchantId']}", {"mode": "pickup", "storeId": store["id"]}, token=token)
            return detail, sku
    raise AssertionError(f"no product in stock at {PICKUP_STORE_CODE}")


def test_checkout_with_points(browser, api):
    token = api.member_token(*DIAMOND)
    balance = api.ok("GET", "/me/points", token=token)["balance"]
    assert balance > 0, "the demo's 钻石 member has points"
    _, sku = cart_with_one_product(api, token)
    d = browser.driver
    sign_in(browser, DIAMOND)

    # The checkout page offers points: balance, worth and this order's cap.
    browser.open("/checkout")
    box = visible(d, "#checkout-points")
    text_appears(d, "#checkout-points-balance", str(balance))
    explanation = visible(d, "#checkout-summary")
    text_appears(d, "#checkout-summary-body", T("order_payable"))
    before = d.find_element(By.CSS_SELECTOR, "#checkout-summary .price").text
    browser.shot("checkout-points-offered")

    # "Use the most" fills in the cap; the summary and the explanation follow.
    click(d, button(d, T("checkout_points_max")))
    wait(d).until(lambda x: x.find_element(By.ID, "checkout-points-used").text.strip() != "")
    used_text = d.find_element(By.ID, "checkout-points-used").text
    points = int(field(d, T("checkout_points_use")).get_attribute("value"))
    assert points > 0 and str(points) in used_text, used_text
    wait(d).until(lambda x: x.find_element(By.CSS_SELECTOR, "#checkout-summary .price").text != before)
    click(d, explanation.find_element(By.CSS_SELECTOR, "summary"))
    text_appears(d, "#checkout-summary-body .explanation", "积分：-¥")
    text_appears(d, "#checkout-summary-body .explanation", "会员等级 钻石 92折")
    browser.shot("checkout-points-used")

    # Place it: the order's explanation says the same, and the points left the balance.
    click(d, button(d, T("checkout_place")))
    result = visible(d, "#checkout-result", timeout=30)
    text_appears(d, "#checkout-result .explanation", "积分：-¥")
    browser.shot("order-placed-with-points")
    assert api.ok("GET", "/me/points", token=token)["balance"] == balance - points
    ledger = api.ok("GET", "/me/points/ledger?kind=checkout_spent&per=1", token=token)["items"]
    assert ledger and ledger[0]["points"] == -points

    # Cancelling the unpaid order gives them back.
    order_id = result.find_element(By.CSS_SELECTOR, "a.order-link-result").get_attribute("href").rstrip("/").split("/")[-1]
    api.ok("POST", f"/orders/{order_id}/cancel", token=token)
    assert api.ok("GET", "/me/points", token=token)["balance"] == balance
    browser.assert_healthy()


def test_member_level_page_and_console(browser, new_browser):
    d = browser.driver
    sign_in(browser, GOLD)
    browser.open("/account")
    click(d, link(d, T("account_level_link")))
    wait(d).until(lambda x: x.current_url.endswith("/member/level"))
    text_appears(d, "#level-card-name", "金卡")
    text_appears(d, "#level-rights", "全场 95折")
    text_appears(d, "#level-next-heading", "钻石")
    assert len(d.find_elements(By.CSS_SELECTOR, "#level-next progress")) == 2, "钻石 needs spend and orders"
    rows = d.find_elements(By.CSS_SELECTOR, "#level-ladder tbody tr")
    assert [row.find_element(By.CSS_SELECTOR, "th").text.split()[0] for row in rows] == ["普通会员", "银卡", "金卡", "钻石"]
    assert "current" in rows[2].get_attribute("class")
    history = d.find_elements(By.CSS_SELECTOR, "#level-history li")
    assert len(history) >= 3 and "银卡 → 金卡" in history[0].text, [h.text for h in history]
    browser.shot("member-level")
    browser.assert_healthy()

    # HQ: the member levels section and a member's level details.
    hq = new_browser("hq")
    c = hq.driver
    hq.open("/console/login")
    field(c, T("console_username")).send_keys("admin")
    field(c, T("login_password")).send_keys("Demo@2026")
    click(c, button(c, T("login_submit")))
    visible(c, "#console-menu")
    click(c, link(c, T("console_menu_levels")))
    cells = table_row_cells(c, "钻石", until=lambda cells: len(cells) >= 5)
    assert "92折" in " ".join(cells) and "1" in cells[4], cells
    hq.shot("console-levels")
    click(c, button(c, C("levels.new")))
    visible(c, "dialog[open]")
    hq.shot("console-level-form")
    click(c, c.find_element(By.CSS_SELECTOR, "dialog[open] .dialog-header button"))
    click(c, link(c, T("console_menu_members")))
    row = table_row_cells(c, "13800138000")
    assert "金卡" in row, row
    details = c.find_element(By.XPATH, f"//tr[contains(., '13800138000')]//button[normalize-space(.)='{C('members.levelHistory')}']")
    click(c, details)
    dialog = visible(c, "dialog[open]")
    wait(c).until(lambda x: "银卡" in dialog.text and "金卡" in dialog.text)
    hq.shot("console-member-level")
    hq.assert_healthy()
