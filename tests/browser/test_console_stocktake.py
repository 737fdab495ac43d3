"""A store manager (ja.manager, SH-JA01) counts one item with the barcode entry of a stocktake
sheet, posts the sheet and sees the adjusted stock: on the sheet (counted, book, difference),
in the stock ledger (a stocktake movement leaving the counted quantity on hand) and on the
storefront product page for that store."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from ui import C, T, button, click, field, fill, link, present, table_row_cells, text_appears, visible, wait

MANAGER = "ja.manager"
STORE_CODE = "SH-JA01"
SHORTFALL = 3


@pytest.fixture
def size():
    return "desktop"


@pytest.fixture
def item(api):
    """A SKU on sale with stock at the store and nothing reserved (other tests use milk and wet
    wipes), with its barcode."""
    token = api.staff_token(MANAGER)
    # Product details through HQ: a store manager may list products but GET
    # /admin/products/{id} answers 403 for them (needs catalog.view at merchant scope).
    hq = api.staff_token("admin")
    stores = api.ok("GET", "/admin/stores?per=100", token=token)["items"]
    store = next(s for s in stores if s["code"] == STORE_CODE)
    levels = api.ok("GET", f"/admin/inventory/levels?storeId={store['id']}&per=100", token=token)["items"]
    for level in levels:
        if level["onHand"] < 8 or level["reserved"] or "牛奶" in level["productTitle"] or "湿巾" in level["productTitle"]:
            continue
        product = api.ok("GET", f"/admin/products/{level['productId']}", token=hq)
        sku = next(s for s in product["skus"] if s["id"] == level["skuId"])
        if product["onShelf"] and sku.get("barcode"):
            return {"store": store, "level": level, "barcode": sku["barcode"], "product": product, "sku": sku}
    pytest.fail(f"no SKU with a barcode and stock at {STORE_CODE}")


def test_manager_stocktake_with_barcode_entry(browser, item, api):
    d = browser.driver
    level, barcode, store = item["level"], item["barcode"], item["store"]
    counted = level["onHand"] - SHORTFALL

    browser.open("/console/login")
    fill(d, T("console_username"), MANAGER)
    fill(d, T("login_password"), "Demo@2026")
    click(d, button(d, T("login_submit")))
    visible(d, "#console-menu")
    browser.shot("console-home")

    # Inventory → stocktakes → open a sheet for the store.
    click(d, link(d, T("console_menu_inventory")))
    click(d, link(d, C("inventory.stocktakes")))
    store_select = Select(field(d, C("field.store")))
    if store_select.first_selected_option.get_attribute("value") != store["id"]:
        store_select.select_by_value(store["id"])
    fill(d, C("field.note"), "browser test: shelf count")
    browser.shot("new-stocktake")
    click(d, button(d, C("stocktake.open")))
    wait(d).until(lambda x: "id=" in x.current_url)
    code = field(d, C("field.barcodeOrCode"))
    browser.shot("sheet-open")

    # Scan (type) the barcode, Enter; type the count, Enter.
    code.send_keys(barcode, Keys.ENTER)
    count = field(d, C("stocktake.count"))
    wait(d).until(lambda _: count.is_enabled())
    text_appears(d, ".scan-result", level["productTitle"])
    browser.shot("barcode-found")
    count.send_keys(str(counted), Keys.ENTER)
    table_row_cells(d, level["skuCode"], until=lambda cells: cells[1] == str(counted))
    browser.shot("counted")

    # Post the sheet (confirm in the dialog).
    click(d, button(d, C("stocktake.post")))
    dialog = visible(d, "dialog[open]")
    browser.shot("post-confirm")
    click(d, button(d, C("action.confirm"), within=dialog))
    wait(d).until(lambda x: C("stocktakeStatus.posted") in x.find_element(By.ID, "console-main").text)
    expected = [str(counted), str(level["onHand"]), f"-{SHORTFALL}"]
    table_row_cells(d, level["skuCode"], until=lambda cells: cells[1:] == expected)
    browser.shot("posted")

    # The ledger: the newest stocktake movement leaves the counted quantity on hand.
    click(d, link(d, C("inventory.movements")))
    Select(field(d, C("field.kind"))).select_by_value("stocktake")
    # The list first shows the unfiltered movements, then the stocktake ones.
    table_row_cells(d, level["skuCode"], timeout=30,
                    until=lambda cells: cells[1] == C("movementKind.stocktake")
                    and cells[4] == f"-{SHORTFALL}" and cells[6] == str(counted))
    browser.shot("movements")
    browser.assert_healthy()

    # The API and the storefront agree.
    token = api.staff_token(MANAGER)
    after = api.ok("GET", f"/admin/inventory/levels?storeId={store['id']}&skuId={level['skuId']}", token=token)["items"][0]
    assert after["onHand"] == counted
    browser.label = "storefront"
    browser.open(f"/product/{item['product']['id']}?storeId={store['id']}")
    row = present(d, f".sku-table tr[data-sku='{level['skuId']}']")
    assert row.get_attribute("data-available") == str(counted - after["reserved"])
    browser.shot("storefront-stock")
    browser.assert_healthy()
