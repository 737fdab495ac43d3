"""HQ runs a group buy from the console: create it, watch its live numbers, end it, read its effect.

Admin: console → 拼团 → 新建拼团 (the demo group buy's SKU by code at its store, ¥ group price,
groups of 2, starting a minute ago) → the list shows it → 实时 opens the live panel; a member opens
a group through the API and the panel, polling, counts the group and the participant → 立即结束 →
效果总结 shows the ended activity's summary (no paid order came of it).
"""
from selenium.webdriver.common.by import By

from ui import C, button, choose, click, field, fill, sign_in_staff, table_row_cells, text_appears, visible, wait

ADMIN = ("admin", "Demo@2026")
MEMBER = ("13912345678", "Shop@2026")


def set_local_datetime(driver, label: str, minutes_from_now: int):
    """A datetime-local input takes its value in the browser's own time zone; typing into one depends on the locale."""
    driver.execute_script(
        """
        const t = new Date(Date.now() + arguments[1] * 60000);
        const p = (n) => String(n).padStart(2, '0');
        arguments[0].value = `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}`;
        arguments[0].dispatchEvent(new Event('input', { bubbles: true }));
        """,
        field(driver, label), minutes_from_now)


def row_of(driver, title: str):
    table_row_cells(driver, title)
    return next(r for r in driver.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if title in r.text)


def test_console_group_buy_live_and_summary(browser, api):
    demo = api.ok("GET", "/group-buys")[0]
    admin_token = api.staff_token(*ADMIN)
    code = api.ok("GET", f"/admin/inventory/levels?skuId={demo['skuId']}&per=1", token=admin_token)["items"][0]["skuCode"]
    title = f"控制台两人团 {browser.size}"

    d = browser.driver
    sign_in_staff(browser, "/console/group-buys", ADMIN)
    text_appears(d, "#console-main h1", C("groupBuy.title"))

    click(d, button(d, C("groupBuy.new")))
    dialog = visible(d, "dialog")
    fill(d, C("groupBuy.activityTitle"), title)
    set_local_datetime(d, C("groupBuy.startsAt"), -1)
    set_local_datetime(d, C("groupBuy.endsAt"), 24 * 60)
    fill(d, C("groupBuy.sku"), code)
    choose(d, C("groupBuy.store"), text=demo["storeName"], partial=True)
    fill(d, C("groupBuy.price"), f"{demo['groupPriceFen'] / 100:.2f}")
    fill(d, C("groupBuy.size"), "2")
    browser.shot("new-activity")
    click(d, button(d, C("action.save"), within=dialog))
    row = row_of(d, title)
    created = next(a for a in api.ok("GET", "/admin/marketing/group-buys?per=100", token=admin_token)["items"] if a["title"] == title)
    assert created["phase"] == "live" and created["groupSize"] == 2 and created["groupPriceFen"] == demo["groupPriceFen"], created

    click(d, button(d, C("groupBuy.live"), within=row))
    panel = visible(d, "dialog .group-buy-live")
    text_appears(d, "dialog .group-buy-live", C("groupBuy.opened"))
    member = api.member_token(*MEMBER)
    api.ok("POST", f"/group-buys/{created['id']}/groups", {"fulfilment": "pickup"}, token=member,
           headers={"Idempotency-Key": f"console-group-{browser.size}-{created['id']}"})

    def counted(_):
        facts = dict(zip([e.text for e in panel.find_elements(By.CSS_SELECTOR, "dt")], [e.text for e in panel.find_elements(By.CSS_SELECTOR, "dd")]))
        return facts.get(C("groupBuy.opened")) == "1" and facts.get(C("groupBuy.participants")) == "1"
    wait(d, 15).until(counted, "the live panel polls and counts the new group")
    browser.shot("live")
    click(d, visible(d, "dialog .btn-icon"))

    click(d, button(d, C("groupBuy.end"), within=row_of(d, title)))
    def summary_button(x):
        # The list reloads after the end: look the row up afresh each time.
        buttons = row_of(x, title).find_elements(By.XPATH, f'.//button[normalize-space()="{C("promo.summary")}"]')
        return next((b for b in buttons if b.is_displayed()), False)
    click(d, wait(d).until(summary_button, "an ended activity offers its effect summary"))
    summary = visible(d, "dialog .promo-summary")
    assert summary.find_element(By.CSS_SELECTOR, ".promo-summary-orders").text == "0"
    assert C("promo.costRatio") in summary.text
    browser.shot("summary")
    browser.assert_healthy()
