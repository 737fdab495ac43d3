"""HQ edits a product in the console catalog editor — its title and one SKU's price — takes
it through review back onto the shelf, and the storefront product page shows the change.

Editing an approved product sends it back to draft and off the shelf (openapi.yaml, PUT
/admin/products/{id}); the admin then submits, approves and shelves it again in the console.
"""
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from ui import C, T, button, click, field, fill, link, text_appears, visible, wait

KEYWORD = "湿巾"


@pytest.fixture
def size():
    return "desktop"


@pytest.fixture
def product(api):
    """An approved, on-shelf product with two SKUs, found by keyword."""
    token = api.staff_token("admin")
    items = api.ok("GET", f"/admin/products?q={quote(KEYWORD)}&status=approved&per=20", token=token)["items"]
    for item in items:
        if item["onShelf"] and len(item["skus"]) >= 2 and len(item["title"]) <= 50:
            return item
    pytest.fail(f"no on-shelf product with two SKUs matches {KEYWORD!r}")


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def console_sign_in(browser, login, password="Demo@2026"):
    d = browser.driver
    browser.open("/console/login")
    fill(d, T("console_username"), login)
    fill(d, T("login_password"), password)
    browser.shot("console-login")
    click(d, button(d, T("login_submit")))
    visible(d, "#console-menu")


def heading_has(driver, text):
    wait(driver).until(lambda d: text in d.find_element(By.CSS_SELECTOR, "#console-main h1").text)


def test_admin_edits_title_and_price(browser, product):
    d = browser.driver
    sku = product["skus"][0]
    new_title = product["title"] + " 焕新"
    new_price_fen = sku["priceFen"] - 37  # stays under the market price
    assert new_price_fen > 0

    console_sign_in(browser, "admin")
    browser.shot("console-home")

    # Catalog list, filtered by the product's title.
    click(d, link(d, T("console_menu_catalog")))
    keyword = field(d, C("field.keyword"))
    keyword.send_keys(product["title"], Keys.ENTER)
    row = link(d, product["title"], exact=True, timeout=30)
    browser.shot("catalog-list")
    click(d, row)

    # The editor: new title and a new price for the first SKU.
    title_input = field(d, C("field.title"))
    assert title_input.get_attribute("value") == product["title"]
    title_input.clear()
    title_input.send_keys(new_title)
    price_label = f"{C('field.priceYuan')} · {sku['specTitle']}"
    price_input = d.find_element(By.CSS_SELECTOR, f"input[aria-label='{price_label}']")
    assert price_input.get_attribute("value") == yuan(sku["priceFen"])
    price_input.clear()
    price_input.send_keys(yuan(new_price_fen))
    browser.shot("editor-changed")
    click(d, button(d, C("action.save")))

    # Saved: back to draft, off the shelf. Submit, approve, shelve.
    heading_has(d, new_title)
    heading_has(d, C("productStatus.draft"))
    browser.shot("saved-draft")
    for action, status in (("catalog.submit", "pending_review"), ("catalog.approve", "approved")):
        click(d, button(d, C(action)))
        heading_has(d, C(f"productStatus.{status}"))
        browser.shot(f"status-{status}")
    click(d, button(d, C("catalog.onShelf")))
    heading_has(d, C("shelf.on"))
    browser.shot("on-shelf")
    browser.assert_healthy()

    # The storefront shows the new title and price.
    browser.label = "storefront"
    browser.open(f"/product/{product['id']}")
    text_appears(d, ".buy-box h1", new_title)
    row = d.find_element(By.CSS_SELECTOR, f".sku-table tr[data-sku='{sku['id']}'], .sku-table tr[data-sku='{sku['id'].lower()}']")
    assert "¥" + yuan(new_price_fen) in row.text
    browser.shot("storefront-product")
    browser.open("/search?q=" + quote(new_title))
    text_appears(d, ".product-grid", new_title)
    browser.shot("storefront-search")
    browser.assert_healthy()


def first_row_title(driver):
    return driver.execute_script(
        "const cell = document.querySelector('#console-main tbody tr th, #console-main tbody tr td');"
        "return cell ? cell.innerText.trim() : null;")


def test_price_heading_sorts_the_whole_catalog(browser, api):
    """The price column orders every product on the server, not just the page on screen: the
    first row is the catalog's cheapest, then its dearest, and the order survives a reload."""
    d = browser.driver
    token = api.staff_token("admin")
    cheapest = api.ok("GET", "/admin/products?sort=minPriceFen&per=1", token=token)["items"][0]["title"]
    dearest = api.ok("GET", "/admin/products?sort=-minPriceFen&per=1", token=token)["items"][0]["title"]
    assert cheapest != dearest

    console_sign_in(browser, "admin")
    click(d, link(d, T("console_menu_catalog")))
    visible(d, "#console-main tbody tr")
    for expected, query in ((cheapest, "sort=minPriceFen"), (dearest, "sort=-minPriceFen")):
        click(d, button(d, C("field.price"), exact=False, within=d.find_element(By.CSS_SELECTOR, "#console-main thead")))
        wait(d).until(lambda drv: first_row_title(drv) == expected and query in drv.current_url)
        browser.shot("catalog-by-price-" + ("asc" if query.endswith("=minPriceFen") else "desc"))
    d.refresh()
    wait(d).until(lambda drv: first_row_title(drv) == dearest)
    header = d.find_element(By.XPATH, "//th[@aria-sort='descending']")
    assert C("field.price") in header.text
    browser.assert_healthy()
