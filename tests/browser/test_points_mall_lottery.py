"""A member exchanges points for a product in the points mall and draws the lottery; staff see
both in the console and replay the draw. Runs at desktop and phone size.

Member (chen.jie@example.com, demo points): points mall → an item with stock at a pickup store →
exchange for pickup → the order is paid with points and waits at the store; the lottery page →
draw → the wheel stops on the slot the server drew, the result and the balance update.
Admin: console → 积分商城 lists the exchange; 抽奖 → the lottery → its draws → replay says the
stored random value reproduces the draw.
"""
import pytest
from selenium.webdriver.common.by import By

from ui import C, T, body_text, button, choose, click, fill, link, table_row_cells, text_appears, visible, wait

MEMBER = ("chen.jie@example.com", "Shop@2026")
ADMIN = ("admin", "Demo@2026")


@pytest.fixture
def mall_item(api):
    """An open item of the demo points mall with a pickup store that has it (no per-member limit
    reached for the member, who has enough points for it)."""
    token = api.member_token(*MEMBER)
    balance = api.ok("GET", "/me/points", token=token)["balance"]
    for item in api.ok("GET", "/points-mall/items?per=50", token=token)["items"]:
        if item["availability"] != "open" or item["cashFen"] > 0 or item["pricePoints"] > balance:
            continue
        if item.get("myRemaining") is not None and item["myRemaining"] < 1:
            continue
        detail = api.ok("GET", f"/points-mall/items/{item['id']}", token=token)
        store = next((s for s in detail["stores"] if s["pickupEnabled"] and s["available"] >= 1), None)
        if store:
            return {"item": item, "store": store, "balance": balance}
    pytest.fail("the demo points mall has no item the member can exchange for pickup")


def sign_in(browser, next_path: str):
    d = browser.driver
    browser.open(f"/login?next={next_path}")
    visible(d, "#login-form")
    fill(d, T("login_id"), MEMBER[0])
    fill(d, T("login_password"), MEMBER[1])
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: x.execute_script("return document.body ? document.body.dataset.member : null") == "1")


def test_exchange_points_and_draw_the_lottery(browser, new_browser, api, mall_item):
    item, store = mall_item["item"], mall_item["store"]
    member = browser
    member.label = "member"
    d = member.driver

    # 1. The points mall, signed in: the balance and the items.
    sign_in(member, "/points-mall")
    wait(d).until(lambda x: "/points-mall" in x.current_url)
    text_appears(d, "h1", T("mall_title"))
    assert str(mall_item["balance"]) in d.find_element(By.ID, "mall-balance").text
    member.shot("points-mall")

    # 2. The item: its price in points, the pickup stores.
    card = next(a for a in d.find_elements(By.CSS_SELECTOR, ".product-card a") if a.get_attribute("href").endswith(item["id"]))
    click(d, card)
    text_appears(d, "h1", item["title"])
    assert f"{item['pricePoints']} {T('mall_points')}" in d.find_element(By.ID, "mall-price").text
    choose(d, T("mall_store"), text=store["name"], partial=True)
    member.shot("item")

    # 3. Exchange: points taken, a paid order at the store.
    click(d, button(d, T("mall_redeem_button")))
    text_appears(d, "#redeem-form .form-message", T("mall_done"))
    expected = mall_item["balance"] - item["pricePoints"]
    assert d.find_element(By.ID, "mall-balance").text == str(expected)
    member.shot("exchanged")
    click(d, link(d, T("mall_see_order")))
    wait(d).until(lambda x: "/orders/" in x.current_url)
    text_appears(d, "main", T("status_paid"))
    assert store["name"] in body_text(d)
    member.shot("order")
    token = api.member_token(*MEMBER)
    latest = api.ok("GET", "/me/redemptions?per=1", token=token)["items"][0]
    assert latest["itemId"] == item["id"] and latest["status"] == "active" and latest["orderStatus"] == "paid"
    assert api.ok("GET", "/me/points", token=token)["balance"] == expected

    # 4. The lottery: the wheel from the server's prize list; a draw the server decides.
    member.open("/lottery")
    wait(d).until(lambda x: "/lottery/" in x.current_url)
    visible(d, "#wheel svg")
    slots = d.find_elements(By.CSS_SELECTOR, "#prize-list li")
    assert len(d.find_elements(By.CSS_SELECTOR, "#wheel path[data-slot]")) == len(slots) >= 2
    before = int(d.find_element(By.ID, "lottery-balance").text)
    left = int(d.find_element(By.ID, "lottery-remaining").text)
    member.shot("lottery")
    click(d, visible(d, "#draw-button"))
    wait(d, 30).until(lambda x: x.find_element(By.ID, "draw-result").get_attribute("data-prize-kind"))
    landed = int(d.find_element(By.ID, "wheel").get_attribute("data-landed"))
    draw = api.ok("GET", "/me/lottery-draws?per=1", token=token)["items"][0]
    assert draw["landingSlot"] == landed, "the wheel stops where the server said"
    assert d.find_element(By.ID, "draw-result").get_attribute("data-prize-kind") == draw["prizeKind"]
    after = before - draw["costPoints"] + (draw.get("points") or 0)
    assert d.find_element(By.ID, "lottery-balance").text == str(after)
    assert d.find_element(By.ID, "lottery-remaining").text == str(left - 1)
    assert d.find_elements(By.CSS_SELECTOR, "#draw-history li")
    member.shot("drawn")
    member.assert_healthy()

    # 5. Staff: the exchange and the draw in the console; the draw replays.
    staff = new_browser(label="admin")
    s = staff.driver
    staff.open("/console/login?next=/console/points-mall")
    fill(s, T("console_username"), ADMIN[0])
    fill(s, T("login_password"), ADMIN[1])
    click(s, button(s, T("login_submit")))
    wait(s).until(lambda x: "/console/points-mall" in x.current_url)
    visible(s, "#console-menu")
    text_appears(s, "#console-main h1", C("mall.title"))
    table_row_cells(s, item["title"])
    staff.shot("console-items")

    # Staff add an item by the SKU's code (looked up at the store's merchant) and see it listed.
    admin_token = api.staff_token(*ADMIN)
    code = api.ok("GET", f"/admin/inventory/levels?skuId={item['skuId']}&per=1", token=admin_token)["items"][0]["skuCode"]
    title = f"测试兑换品 {staff.size}"
    click(s, button(s, C("mall.new")))
    dialog = visible(s, "dialog")
    fill(s, C("mall.itemTitle"), title)
    fill(s, C("mall.sku"), code)
    choose(s, C("mall.lookupStore"), text=store["name"], partial=True)
    fill(s, C("mall.pricePoints"), "99")
    fill(s, C("mall.stock"), "5")
    staff.shot("console-new-item")
    click(s, button(s, C("action.save"), within=dialog))
    row = table_row_cells(s, title)
    assert any("99" in cell for cell in row), row
    created = next(i for i in api.ok("GET", "/admin/points-mall/items?per=100", token=admin_token)["items"] if i["title"] == title)
    assert created["skuId"].lower() == item["skuId"].lower() and created["remaining"] == 5
    staff.open("/console/points-mall?view=redemptions")
    table_row_cells(s, item["title"])
    staff.shot("console-exchanges")
    staff.open(f"/console/lotteries/{draw['lotteryId']}")
    text_appears(s, "#console-main h1", draw["lotteryName"])
    table_row_cells(s, draw["random"])
    row = next(r for r in s.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if draw["random"] in r.text)
    click(s, button(s, C("lottery.replay"), within=row))
    text_appears(s, "dialog", C("lottery.reproduced"))
    staff.shot("console-replay")
    click(s, visible(s, "dialog .btn-icon"))
    # Saving the wheel unchanged writes the next prize table version.
    version = api.ok("GET", f"/admin/lotteries/{draw['lotteryId']}", token=admin_token)["tableVersion"]
    click(s, button(s, C("action.edit"), within=s.find_element(By.CSS_SELECTOR, "#console-main .page-header")))
    dialog = visible(s, "dialog")
    assert len(dialog.find_elements(By.CSS_SELECTOR, "fieldset.lines-editor tbody tr")) == len(slots)
    staff.shot("console-edit-lottery")
    click(s, button(s, C("action.save"), within=dialog))
    wait(s).until(lambda x: not x.find_elements(By.CSS_SELECTOR, "dialog[open]"))
    assert api.ok("GET", f"/admin/lotteries/{draw['lotteryId']}", token=admin_token)["tableVersion"] == version + 1
    staff.assert_healthy()
