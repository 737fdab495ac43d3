"""Markup in shop data is shown as text. A product created through the admin API carries script
and event-handler markup in its title, subtitle and description; the storefront (server-rendered
grid and product page, the script-built cart) and the console's catalog list must show the
title literally, run nothing, and keep the page free of inline handlers. A keyword with markup
in the search box is echoed as text too."""
import secrets
from urllib.parse import quote

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from ui import C, T, button, click, field, fill, link, present, text_appears, visible, wait

SELF_OPERATED = "00000000-0000-4000-8000-000000000001"
TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SUBTITLE = "\"><svg onload=alert(3)>'"
DESCRIPTION = "<p>安全描述</p><script>alert(4)</script><img src=x onerror=alert(5)><a href=\"javascript:alert(6)\">链接</a>"
STORE_CODE = "SH-JA01"

# Records alert/confirm/prompt calls instead of showing them; injected by the browser before any
# page script (DevTools, so the page's Content-Security-Policy does not apply to it).
ALERT_TRAP = """
window.__alerts = [];
for (const name of ['alert', 'confirm', 'prompt']) {
  window[name] = function (message) { window.__alerts.push(name + ':' + String(message)); return null; };
}
"""

# Event-handler attributes and javascript: URLs anywhere in the document.
DANGEROUS_MARKUP = """
const found = [];
for (const e of document.querySelectorAll('*')) {
  for (const a of e.attributes) {
    if (a.name.startsWith('on')) found.push(e.tagName + ' ' + a.name + '=' + a.value);
    if ((a.name === 'href' || a.name === 'src') && a.value.trim().toLowerCase().startsWith('javascript:')) found.push(e.tagName + ' ' + a.name + '=' + a.value);
  }
}
for (const s of document.querySelectorAll('script:not([src])')) {
  if (s.type !== 'application/json') found.push('inline script: ' + s.textContent.slice(0, 60));
}
return found;
"""


@pytest.fixture
def size():
    return "desktop"


@pytest.fixture(scope="module")
def hostile_product(api):
    token = api.staff_token("admin")
    categories = api.ok("GET", "/categories")
    leaf = next(child for top in categories for child in top["children"])
    code = "XSS-" + secrets.token_hex(3).upper()
    product = api.ok("POST", "/admin/products", {
        "merchantId": SELF_OPERATED, "title": TITLE, "subtitle": SUBTITLE, "descriptionHtml": DESCRIPTION,
        "categoryId": leaf["id"], "unit": "件", "weightGrams": 100, "specs": [],
        "skus": [{"specs": {}, "code": code, "priceFen": 990}],
    }, token=token)
    assert product["title"] == TITLE, "the API changed the title; this test expects it stored as typed"
    for step, body in (("submit", None), ("approve", None), ("shelf", {"onShelf": True})):
        api.ok("POST", f"/admin/products/{product['id']}/{step}", body, token=token)
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=token)["items"] if s["code"] == STORE_CODE)
    api.ok("POST", "/admin/inventory/receipts", {"storeId": store["id"], "lines": [{"skuCode": code, "quantity": 10}]}, token=token)
    return {"product": api.ok("GET", f"/admin/products/{product['id']}", token=token), "store": store}


@pytest.fixture
def trapped(browser):
    browser.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ALERT_TRAP})
    return browser


def assert_inert(browser, where: str):
    d = browser.driver
    try:
        text = d.switch_to.alert.text
        pytest.fail(f"{where}: a dialog opened: {text!r}")
    except NoAlertPresentException:
        pass
    alerts = d.execute_script("return window.__alerts")
    assert alerts is not None, f"{where}: the alert trap is not installed; the check would prove nothing"
    assert alerts == [], f"{where}: page script called {alerts}"
    dangerous = d.execute_script(DANGEROUS_MARKUP)
    assert dangerous == [], f"{where}: markup that can run script: {dangerous}"


def test_hostile_product_renders_as_text(trapped, hostile_product, api):
    browser, d = trapped, trapped.driver
    product = hostile_product["product"]

    # Search results (server-rendered grid): find it by a word of its title.
    browser.open("/search?q=script")
    card = wait(d).until(lambda x: next((c for c in x.find_elements(By.CSS_SELECTOR, ".product-card") if "alert(1)" in c.text), False))
    assert card.find_element(By.CSS_SELECTOR, ".product-title").text == TITLE
    assert card.find_element(By.CSS_SELECTOR, ".product-subtitle").text == SUBTITLE
    browser.shot("search-results")
    assert_inert(browser, "search results")

    # Product page: title, subtitle, image alt, SKU table; the description is sanitised HTML.
    browser.open(f"/product/{product['id']}?storeId={hostile_product['store']['id']}")
    assert visible(d, ".buy-box h1").text == TITLE
    assert d.find_element(By.CSS_SELECTOR, ".buy-box .subtitle").text == SUBTITLE
    assert TITLE in d.title
    description = d.find_element(By.CSS_SELECTOR, ".rich-text")
    assert "安全描述" in description.text
    assert not description.find_elements(By.CSS_SELECTOR, "script, img[onerror], svg")
    browser.shot("product-page")
    assert_inert(browser, "product page")

    # Signed in, add it to the cart; the cart page builds its lines in JavaScript.
    browser.open(f"/login?next=/product/{product['id']}")
    fill(d, T("login_id"), "13912345678")
    fill(d, T("login_password"), "Shop@2026")
    click(d, button(d, T("login_submit")))
    text_appears(d, ".buy-box h1", "alert(1)")
    click(d, button(d, T("product_add_to_cart")))
    text_appears(d, "#buy-message", T("product_added"))
    browser.open("/cart")
    line = wait(d).until(lambda x: next((a for a in x.find_elements(By.CSS_SELECTOR, "#cart a") if "alert(1)" in a.text), False))
    assert line.text == TITLE
    browser.shot("cart")
    assert_inert(browser, "cart")
    browser.assert_healthy()


def test_markup_in_search_keyword_is_echoed_as_text(trapped):
    browser, d = trapped, trapped.driver
    keyword = "<img src=x onerror=alert(7)>"
    browser.open("/search?q=" + quote(keyword))
    assert d.find_element(By.ID, "filter-q").get_attribute("value") == keyword
    assert d.find_element(By.ID, "site-search").get_attribute("value") in ("", keyword)
    browser.shot("search-keyword")
    assert_inert(browser, "search keyword echo")
    browser.assert_healthy()


def test_console_lists_hostile_title_as_text(trapped, hostile_product):
    browser, d = trapped, trapped.driver
    browser.open("/console/login")
    fill(d, T("console_username"), "admin")
    fill(d, T("login_password"), "Demo@2026")
    click(d, button(d, T("login_submit")))
    visible(d, "#console-menu")
    browser.open("/console/catalog?q=script")
    row = link(d, TITLE, exact=True, timeout=30)
    assert row.text == TITLE
    browser.shot("console-catalog")
    click(d, row)
    wait(d).until(lambda x: TITLE in x.find_element(By.CSS_SELECTOR, "#console-main h1").text)
    assert field(d, C("field.title")).get_attribute("value") == TITLE
    browser.shot("console-editor")
    assert_inert(browser, "console")
    browser.assert_healthy()
