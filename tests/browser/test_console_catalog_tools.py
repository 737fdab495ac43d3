"""The console's catalogue tools, each used through its page and checked through the API:
a SKU's store, member-level and planned prices in the product editor; a store manager delisting
a product in their store; the catalogue CSV round trip with a refused row; spec templates; and a
merchant's delivery charge reached from the stores list.
"""
import csv
import io
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_console_catalog import console_sign_in, heading_has
from ui import C, T, button, choose, click, field, fill, link, table_row_cells, text_appears, visible, wait

SELF_OPERATED = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def size():
    return "desktop"


def dialog_field(driver, label_text):
    """The control a label inside the open dialog names (the page behind has labels too)."""
    dialog = visible(driver, "dialog[open]")
    label = next(l for l in dialog.find_elements(By.TAG_NAME, "label") if l.text.strip().rstrip(" *") == label_text)
    return dialog.find_element(By.ID, label.get_attribute("for"))


def form_of(driver, submit_text):
    """The dialog's form whose submit button says `submit_text`."""
    dialog = visible(driver, "dialog[open]")
    return next(f for f in dialog.find_elements(By.TAG_NAME, "form") if submit_text in f.text)


def form_field(form, label_text):
    label = next(l for l in form.find_elements(By.TAG_NAME, "label") if l.text.strip().rstrip(" *") == label_text)
    return form.find_element(By.ID, label.get_attribute("for"))


def product_with_skus(api, token):
    items = api.ok("GET", f"/admin/products?status=approved&merchantId={SELF_OPERATED}&per=50", token=token)["items"]
    return next(p for p in items if p["onShelf"] and p["skus"])


def store_by_code(api, token, code):
    return next(s for s in api.ok("GET", "/admin/stores?per=100", token=token)["items"] if s["code"] == code)


def test_prices_panel_sets_store_level_and_planned_prices(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    product = product_with_skus(api, token)
    sku = product["skus"][0]
    store = store_by_code(api, token, "SH-JA01")
    level = api.ok("GET", "/member-levels")[-1]

    console_sign_in(browser, "admin")
    browser.open(f"/console/catalog/{product['id']}")
    click(d, button(d, C("prices.open"), within=visible(d, ".sku-prices")))
    visible(d, "dialog[open] .price-book form")
    browser.shot("price-book-empty")

    store_form = form_of(d, C("prices.setStorePrice"))
    Select(form_field(store_form, C("field.store"))).select_by_value(store["id"])
    form_field(store_form, C("prices.price")).send_keys("8.80")
    click(d, button(d, C("prices.setStorePrice")))
    wait(d).until(lambda drv: "¥8.80" in drv.find_element(By.CSS_SELECTOR, "dialog[open] .price-book").text)

    level_form = form_of(d, C("prices.setLevelPrice"))
    Select(form_field(level_form, C("prices.level"))).select_by_value(level["code"])
    share = form_field(level_form, C("prices.discountPercent"))
    share.clear()
    share.send_keys("90")
    click(d, button(d, C("prices.setLevelPrice")))
    wait(d).until(lambda drv: "90%" in drv.find_element(By.CSS_SELECTOR, "dialog[open] .price-book").text)

    planned_form = form_of(d, C("prices.schedule"))
    d.execute_script("arguments[0].value = '2031-01-02T09:30'", form_field(planned_form, C("prices.effectiveFrom")))
    form_field(planned_form, C("prices.price")).send_keys("7.70")
    click(d, button(d, C("prices.schedule")))
    wait(d).until(lambda drv: "¥7.70" in drv.find_element(By.CSS_SELECTOR, "dialog[open] .price-book").text)
    browser.shot("price-book-filled")

    book = api.ok("GET", f"/admin/skus/{sku['id']}/prices", token=token)
    assert {(p["storeId"].lower(), p["priceFen"]) for p in book["storePrices"]} >= {(store["id"].lower(), 880)}
    assert any(p["level"] == level["code"] and p["discountBasisPoints"] == 9000 for p in book["levelPrices"])
    assert [p["priceFen"] for p in book["scheduledPrices"]] == [770]

    # Take the planned price back out.
    planned_table = next(t for t in d.find_elements(By.CSS_SELECTOR, "dialog[open] .price-book-part")
                         if C("prices.scheduled") in t.find_element(By.TAG_NAME, "h3").text)
    click(d, button(d, C("action.remove"), within=planned_table))
    text_appears(d, "dialog[open] .price-book", C("prices.noScheduled"))
    assert api.ok("GET", f"/admin/skus/{sku['id']}/prices", token=token)["scheduledPrices"] == []
    browser.shot("price-book-plan-removed")
    browser.assert_healthy()


def test_store_manager_delists_a_product_in_their_store(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    product = product_with_skus(api, token)
    store = store_by_code(api, token, "SH-JA01")

    console_sign_in(browser, "ja.manager")
    browser.open(f"/console/catalog/{product['id']}")
    card = visible(d, ".store-listing")
    assert store["name"] in card.text
    click(d, button(d, C("listing.delist"), within=card))
    text_appears(d, ".store-listing", C("listingState.delisted"))
    browser.shot("delisted")
    delisted = api.ok("GET", f"/admin/products/{product['id']}", token=token)["delistedStoreIds"]
    assert store["id"].lower() in [s.lower() for s in delisted]

    click(d, button(d, C("listing.relist"), within=card))
    text_appears(d, ".store-listing", C("listingState.listed"))
    assert api.ok("GET", f"/admin/products/{product['id']}", token=token)["delistedStoreIds"] == []
    browser.assert_healthy()


def test_catalogue_csv_export_and_partial_import(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    console_sign_in(browser, "admin")
    browser.open("/console/catalog/csv")
    choose(d, C("field.merchant"), value=SELF_OPERATED.upper())
    download = link(d, C("csv.download"))
    href = download.get_attribute("href")
    assert "/api/v1/admin/products/export" in href and "merchantId=" in href
    browser.shot("csv-page")

    # The exported header, one new good row and one row with a bad price.
    status, exported = api.call("GET", f"/admin/products/export?merchantId={SELF_OPERATED}", token=token)
    assert status == 200
    header = next(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    category = next(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))["category"]
    title = f"CSV 导入测试 {int(time.time())}"
    rows = [dict.fromkeys(header, "") for _ in range(2)]
    for row, code, price in ((rows[0], "CSV-OK-1", "9.90"), (rows[1], "CSV-BAD-1", "abc")):
        row.update(product_title=title, category=category, unit="件", weight_grams="100", sku_code=code, price=price, enabled="true")
    rows[1]["product_title"] = title + " 坏行"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    path = Path(tempfile.mkdtemp()) / "products.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    field(d, C("csv.file")).send_keys(str(path))
    choose(d, C("csv.modeLabel"), value="partial")
    click(d, button(d, C("csv.upload")))
    cells = table_row_cells(d, "price", css=".import-errors tbody tr")
    assert cells[0] == "3"
    browser.shot("csv-imported")
    assert C("csv.created") in d.find_element(By.CSS_SELECTOR, ".import-result").text
    found = api.ok("GET", f"/admin/products?q={quote(title)}&per=10", token=token)["items"]
    assert [p["title"] for p in found] == [title]
    browser.assert_healthy()


def test_spec_templates_created_edited_deleted(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    name = f"测试模板{int(time.time()) % 100000}"
    console_sign_in(browser, "admin")
    browser.open("/console/catalog/templates")
    click(d, button(d, C("specTemplates.new")))
    dialog_field(d, C("specTemplates.name")).send_keys(name)
    dialog_field(d, C("specTemplates.specs")).send_keys("颜色: 红, 蓝\n尺码: S, M")
    click(d, button(d, C("action.save")))
    cells = table_row_cells(d, name)
    assert "颜色: 红 / 蓝" in cells[1]
    browser.shot("template-created")

    row = next(r for r in d.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if name in r.text)
    click(d, button(d, C("action.edit"), within=row))
    specs = dialog_field(d, C("specTemplates.specs"))
    specs.clear()
    specs.send_keys("颜色: 黑")
    click(d, button(d, C("action.save")))
    table_row_cells(d, name, until=lambda c: c[1] == "颜色: 黑")
    template = next(t for t in api.ok("GET", "/admin/spec-templates", token=token) if t["name"] == name)
    assert template["specs"] == [{"name": "颜色", "values": ["黑"]}]

    row = next(r for r in d.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if name in r.text)
    click(d, button(d, C("action.delete"), within=row))
    click(d, button(d, C("action.confirm")))
    wait(d).until(lambda drv: name not in drv.find_element(By.ID, "console-main").text)
    assert all(t["name"] != name for t in api.ok("GET", "/admin/spec-templates", token=token))
    browser.assert_healthy()


def test_delivery_charge_by_distance_from_the_stores_list(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    console_sign_in(browser, "self.admin")
    click(d, link(d, T("console_menu_stores")))
    click(d, link(d, C("stores.shipping")))
    heading_has(d, C("shipping.title"))
    choose(d, C("shipping.mode"), value="distance")
    meters = d.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('shipping.bandMeters', n=1)}']")
    meters.send_keys("3000")
    d.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('shipping.bandFeeN', n=1)}']").send_keys("5")
    click(d, button(d, C("shipping.addBand")))
    d.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('shipping.bandMeters', n=2)}']").send_keys("8000")
    d.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('shipping.bandFeeN', n=2)}']").send_keys("9.5")
    fill(d, C("shipping.freeAboveField"), "99")
    browser.shot("shipping-form")
    click(d, button(d, C("action.save")))
    text_appears(d, ".shipping-current", C("shippingMode.distance"))
    browser.shot("shipping-saved")
    rule = api.ok("GET", f"/admin/merchants/{SELF_OPERATED}/shipping-rule", token=token)
    assert rule["mode"] == "distance" and not rule["isDefault"]
    assert [(b["upToMeters"], b["feeFen"]) for b in rule["bands"]] == [(3000, 500), (8000, 950)]
    assert rule["freeAboveFen"] == 9900

    click(d, button(d, C("shipping.useDefault")))
    click(d, button(d, C("action.confirm")))
    text_appears(d, "#console-main", C("shipping.usingDefault"))
    assert api.ok("GET", f"/admin/merchants/{SELF_OPERATED}/shipping-rule", token=token)["isDefault"]
    browser.assert_healthy()


def test_store_stock_csv_counted_and_imported(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    store = store_by_code(api, token, "SH-JA01")
    level = api.ok("GET", f"/admin/inventory/levels?storeId={store['id']}&per=1&sort=-onHand", token=token)["items"][0]
    counted = level["onHand"] - 1

    console_sign_in(browser, "ja.manager")
    browser.open("/console/inventory/csv")
    heading_has(d, C("csv.stockTitle"))
    href = link(d, C("csv.download")).get_attribute("href")
    assert href.endswith(f"/api/v1/admin/inventory/export?storeId={store['id']}")
    path = Path(tempfile.mkdtemp()) / "count.csv"
    path.write_text(f"sku_code,counted\n{level['skuCode']},{counted}\nNO-SUCH-SKU,5\n", encoding="utf-8")
    field(d, C("csv.file")).send_keys(str(path))
    choose(d, C("csv.modeLabel"), value="partial")
    click(d, button(d, C("csv.upload")))
    cells = table_row_cells(d, "", css=".import-errors tbody tr")
    assert cells[0] == "3"
    browser.shot("stock-imported")
    after = api.ok("GET", f"/admin/inventory/levels?storeId={store['id']}&skuId={level['skuId']}", token=token)["items"][0]
    assert after["onHand"] == counted
    browser.assert_healthy()
