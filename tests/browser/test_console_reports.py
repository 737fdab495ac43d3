"""Reports in the console on the demo: HQ compares every store for last month with a chart, sets
a store's target, drills into that store's product ranking and reads the sales charts with their
data tables; a store manager's comparison holds only their store."""
import datetime
import io
import time
import urllib.request

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from ui import C, T, button, choose, click, fill, table_row_cells, text_appears, visible, wait


@pytest.fixture
def size():
    return "desktop"


def sign_in(browser, login, path):
    d = browser.driver
    browser.open(f"/console/login?next={path}")
    fill(d, T("console_username"), login)
    fill(d, T("login_password"), "Demo@2026")
    click(d, button(d, T("login_submit")))
    visible(d, "#console-menu")


def last_month(today: datetime.date):
    first_this = today.replace(day=1)
    last = first_this - datetime.timedelta(days=1)
    return last.replace(day=1).isoformat(), last.isoformat()


def folded_report(api, token, path, ready, timeout=150):
    """The report once the minute's fold job has taken in the demo's orders."""
    deadline = time.monotonic() + timeout
    while True:
        report = api.ok("GET", path, token=token)
        if ready(report) or time.monotonic() > deadline:
            return report
        time.sleep(2)


def chart_marks(d, title: str, mark: str) -> list:
    figure = wait(d).until(lambda drv: next((f for f in drv.find_elements(By.CSS_SELECTOR, "figure.chart")
                                             if f.find_element(By.CSS_SELECTOR, ".chart-title").text == title), False))
    return figure, figure.find_elements(By.CSS_SELECTOR, f"svg .{mark}")


def test_hq_compares_stores_sets_a_target_and_drills_into_a_store(browser, api):
    admin = api.staff_token("admin")
    d = browser.driver
    first, last = last_month(datetime.date.today())
    expected = folded_report(api, admin, f"/admin/reports/stores?from={first}&to={last}",
                             lambda r: sum(s["figures"]["netSalesFen"] > 0 for s in r["stores"]) > 1)
    sign_in(browser, "admin", "/console/reports/stores")

    # Last month, every store side by side: one bar per store, in rank order.
    choose(d, C("reports.period"), text=C("reports.preset.lastMonth"))
    click(d, button(d, C("reports.show")))
    wait(d).until(lambda drv: "preset=lastMonth" in drv.current_url)
    stores = sorted(expected["stores"], key=lambda s: s["ranks"]["netSales"])
    figure, bars = chart_marks(d, C("reports.chart.storeSales"), "bar")
    assert len(bars) == len(stores) > 1
    tips = [b.find_element(By.TAG_NAME, "title").get_attribute("textContent") for b in bars]
    assert tips[0].startswith(stores[0]["storeName"]) and tips[0].endswith(f"{stores[0]['figures']['netSalesFen'] / 100:,.2f}")
    # The data table says the same as the bars.
    click(d, button(d, C("chart.showTable"), within=figure))
    rows = figure.find_elements(By.CSS_SELECTOR, ".chart-table tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == [s["storeName"] for s in stores]
    browser.shot("stores-last-month")

    # A target for the best store in the report's month; the comparison shows it with a forecast.
    best = stores[0]
    click(d, button(d, C("reports.setTarget"), within=d.find_element(By.XPATH, f"//tbody/tr[contains(., '{best['storeCode']}')]")))
    dialog = visible(d, "dialog[open]")
    fill(d, C("reports.targetAmount", month=expected["targetMonth"]), "88888")
    click(d, button(d, C("action.save"), within=dialog))
    cells = table_row_cells(d, best["storeCode"], until=lambda c: "¥88,888.00" in c[-1], css="#console-main section tbody tr")
    assert "%" in cells[-1]
    saved = api.ok("GET", f"/admin/reports/stores?from={first}&to={last}", token=admin)
    target = next(s for s in saved["stores"] if s["storeId"] == best["storeId"])["target"]
    assert target["targetFen"] == 8_888_800
    browser.shot("target-set")

    # Drill into the store: its own product ranking for the same period.
    click(d, d.find_element(By.XPATH, f"//tbody//a[contains(., '{best['storeCode']}')]"))
    text_appears(d, "#console-main", C("reports.forStore", store=f"{best['storeCode']} {best['storeName']}"))
    ranking = api.ok("GET", f"/admin/reports/products?from={first}&to={last}&storeId={best['storeId']}&limit=20", token=admin)
    assert ranking["top"], "the demo sold something at the best store last month"
    first_row = table_row_cells(d, ranking["top"][0]["title"], css="#console-main section tbody tr")
    assert first_row[0] == "1" and first_row[2] == str(ranking["top"][0]["netUnits"])
    _, product_bars = chart_marks(d, C("reports.chart.top.units"), "bar")
    assert len(product_bars) == min(10, len(ranking["top"]))
    browser.shot("store-products")

    # The sales view: a line per day, a heat map of 7 × 24 cells, tiles that match the API.
    browser.open(f"/console/reports/sales?from={first}&to={last}")
    sales = api.ok("GET", f"/admin/reports/sales?from={first}&to={last}", token=admin)
    text_appears(d, ".tile[data-measure=netSales] .tile-value", f"{sales['totals']['netSalesFen'] / 100:,.2f}")
    _, points = chart_marks(d, C("reports.chart.netSalesByDay"), "point")
    assert len(points) == len(sales["days"])
    _, cells = chart_marks(d, C("reports.chart.heatmap"), "cell")
    assert len(cells) == 7 * 24
    browser.shot("sales")

    # 导出 Excel: the link the page offers downloads a workbook with the same net sales.
    export = d.find_element(By.XPATH, f"//a[normalize-space(.)='{C('reports.export.xlsx')}']").get_attribute("href")
    assert "/api/v1/admin/reports/sales/export" in export and "format=xlsx" in export
    request = urllib.request.Request(export, headers={"Authorization": f"Bearer {admin}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        sheet = load_workbook(io.BytesIO(response.read())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    net = rows[0].index("Net sales")
    days = [row for row in rows[1:] if isinstance(row[0], datetime.datetime)]
    assert len(days) == len(sales["days"]), "a row per day, the day a date cell"
    assert round(sum(row[net] for row in days) * 100) == sales["totals"]["netSalesFen"], "amounts are numbers that add up"

    # 同比环比 by week, 售后 and 会员: their charts and tables hold the API's figures.
    browser.open(f"/console/reports/periods?from={first}&to={last}&grain=week")
    weekly = api.ok("GET", f"/admin/reports/sales?from={first}&to={last}&grain=week", token=admin)
    _, period_bars = chart_marks(d, C("reports.chart.periods"), "bar")
    assert len(period_bars) == 3 * len(weekly["periods"]) > 0
    browser.shot("periods")
    browser.open(f"/console/reports/after-sales?from={first}&to={last}")
    after_sales = api.ok("GET", f"/admin/reports/after-sales?from={first}&to={last}", token=admin)
    text_appears(d, ".tile[data-measure=cases] .tile-value", f"{after_sales['totals']['cases']:,}")
    browser.shot("after-sales")
    browser.open(f"/console/reports/members?from={first}&to={last}")
    members = api.ok("GET", f"/admin/reports/members?from={first}&to={last}", token=admin)
    text_appears(d, ".tile[data-measure=buyers] .tile-value", f"{members['figures']['buyers']:,}")
    _, level_slices = chart_marks(d, C("reports.chart.levels"), "slice")
    assert len(level_slices) == sum(1 for level in members["byLevel"] if level["members"] > 0)
    browser.shot("members")
    browser.assert_healthy()


def test_a_store_manager_compares_only_their_store(browser, api):
    d = browser.driver
    sign_in(browser, "ja.manager", "/console/reports/stores")
    mine = api.ok("GET", "/admin/reports/stores", token=api.staff_token("ja.manager"))["stores"]
    assert [s["storeCode"] for s in mine] == ["SH-JA01"]
    _, bars = chart_marks(d, C("reports.chart.storeSales"), "bar")
    assert len(bars) == 1
    rows = d.find_elements(By.CSS_SELECTOR, "#console-main section tbody tr")
    assert len(rows) == 1 and "SH-JA01" in rows[0].text
    assert not d.find_elements(By.XPATH, f"//button[normalize-space(.)='{C('reports.setTarget')}']"), \
        "a store manager does not set the store's target"
    browser.assert_healthy()
