"""An unpaid order is paid from its order page with the providers checkout offers, not always
the sandbox: where the sandbox is off (production), "pay now" must lead to a real provider.

A demo server of its own with Alipay configured (the Alipay gateway is a small HTTP server here
on 127.0.0.1 that plays the cashier page) and the sandbox switched off: the shopper's order page
sends them to Alipay's cashier with a signed alipay.trade.page.pay URL. With the sandbox on as
well, the page offers both and the shopper picks one.
"""
import http.server
import json
import tempfile
import threading
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By

from conftest import ARTIFACTS, REPO, Api, ServerProcess, _free_port
from ui import T, button, click, fill, visible, wait

SHOPPER = ("13800138000", "Shop@2026")
PICKUP_STORE_CODE = "SH-JA01"


class Cashier:
    """Plays Alipay's gateway: answers every GET with a page and remembers the query strings."""

    def __init__(self):
        self.queries: list[dict[str, list[str]]] = []
        cashier = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                if url.path == "/gateway.do":  # not the browser's favicon request
                    cashier.queries.append(parse_qs(url.query))
                body = "<!doctype html><title>支付宝 收银台（测试）</title><h1>Alipay cashier (test)</h1>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/gateway.do"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def alipay_shop():
    """(server, api, cashier): a demo server whose Alipay points at the local cashier. The keys
    are the committed payment vectors' (Tests/MallServerTests/Fixtures/payment_vectors.json)."""
    vectors = json.loads((REPO / "Tests/MallServerTests/Fixtures/payment_vectors.json").read_text(encoding="utf-8"))["alipay"]
    keys = Path(tempfile.mkdtemp(prefix="chainmall-alipay-keys-"))
    (keys / "app_private_key.pem").write_text(vectors["app_private_key_pkcs8"], encoding="utf-8")
    (keys / "alipay_public_key.pem").write_text(vectors["alipay_public_key"], encoding="utf-8")
    cashier = Cashier()
    running = ServerProcess(ARTIFACTS / "browser-server-alipay.log", demo=True, extra_env={
        "ALIPAY_APP_ID": vectors["app_id"],
        "ALIPAY_PRIVATE_KEY_FILE": str(keys / "app_private_key.pem"),
        "ALIPAY_PUBLIC_KEY_FILE": str(keys / "alipay_public_key.pem"),
        "ALIPAY_NOTIFY_URL": "https://mall.example.com/api/v1/payments/alipay/notify",
        "ALIPAY_GATEWAY_URL": cashier.url,
    })
    try:
        running.wait_until_healthy()
        yield running, Api(running.url), cashier
    finally:
        running.stop()
        running.remove_data()
        cashier.stop()


def set_sandbox(api: Api, enabled: bool):
    admin = api.staff_token("admin")
    api.ok("PATCH", "/admin/settings", {"values": {"payments.sandboxEnabled": enabled}}, token=admin)


def unpaid_order(api: Api) -> dict:
    """An order placed through the API (pickup, so no address is needed) and left unpaid."""
    token = api.member_token(*SHOPPER)
    for group in api.ok("GET", "/cart", token=token)["groups"]:
        for line in group["lines"]:
            api.ok("DELETE", f"/cart/lines/{line['skuId']}", token=token)
    admin = api.staff_token("admin")
    store = next(s for s in api.ok("GET", "/admin/stores?per=100", token=admin)["items"] if s["code"] == PICKUP_STORE_CODE)
    for hit in api.ok("GET", "/products?sort=sales&per=50")["items"]:
        product = api.ok("GET", f"/products/{hit['id']}?storeId={store['id']}")
        sku = next((s for s in product["skus"] if s.get("available", 0) >= 1), None)
        if sku:
            break
    else:
        pytest.fail(f"no product in stock at {PICKUP_STORE_CODE}")
    api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": 1}, token=token)
    api.ok("PUT", f"/cart/fulfilments/{product['merchantId']}", {"mode": "pickup", "storeId": store["id"]}, token=token)
    placed = api.ok("POST", "/checkout", {}, token=token, headers={"Idempotency-Key": f"order-page-pay-{uuid.uuid4()}"})
    return placed["orders"][0]


def sign_in(browser, order_id: str):
    d = browser.driver
    browser.open(f"/login?next=/orders/{order_id}")
    visible(d, "#login-form")
    fill(d, T("login_id"), SHOPPER[0])
    fill(d, T("login_password"), SHOPPER[1])
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: f"/orders/{order_id}" in x.current_url)


def test_order_page_pays_with_the_providers_checkout_offers(new_browser, alipay_shop):
    running, api, cashier = alipay_shop
    browser = new_browser(base_url=running.url)
    d = browser.driver

    # The sandbox is off, as in production: Alipay is the only way to pay, so "pay now" goes there.
    set_sandbox(api, False)
    assert [p["code"] for p in api.ok("GET", "/payments/providers")] == ["alipay"]
    order = unpaid_order(api)
    sign_in(browser, order["id"])
    browser.shot("unpaid-order")
    seen = len(cashier.queries)
    click(d, button(d, T("checkout_pay")))
    wait(d, 30).until(lambda x: x.current_url.startswith(cashier.url))
    assert len(cashier.queries) > seen, "the browser reached the Alipay gateway"
    query = cashier.queries[-1]
    assert query["method"] == ["alipay.trade.page.pay"]
    assert query["sign_type"] == ["RSA2"] and query["sign"][0]
    assert json.loads(query["biz_content"][0])["product_code"] == "FAST_INSTANT_TRADE_PAY"
    browser.shot("alipay-cashier")

    # With the sandbox on too, the page offers both, like checkout, and the shopper chooses.
    set_sandbox(api, True)
    browser.open(f"/orders/{order['id']}")
    click(d, button(d, T("checkout_pay")))
    choices = wait(d).until(lambda x: x.find_elements(By.CSS_SELECTOR, "#pay-choices button[data-provider]"))
    assert [c.get_attribute("data-provider") for c in choices] == ["alipay", "sandbox"]
    assert "支付宝" in choices[0].text
    browser.shot("choices")
    click(d, visible(d, "#pay-choices button[data-provider='sandbox']"))
    wait(d, 30).until(lambda x: "/sandbox/pay/" in x.current_url)
    browser.assert_healthy()


def test_order_page_says_so_when_no_provider_is_on(new_browser, alipay_shop):
    running, api, _ = alipay_shop
    admin = api.staff_token("admin")
    order = unpaid_order(api)
    api.ok("PATCH", "/admin/settings", {"values": {"payments.sandboxEnabled": False, "payments.alipayEnabled": False}}, token=admin)
    try:
        browser = new_browser(base_url=running.url)
        d = browser.driver
        sign_in(browser, order["id"])
        click(d, button(d, T("checkout_pay")))
        wait(d).until(lambda x: T("checkout_no_provider") in x.find_element(By.ID, "pay-choices").text)
        assert not d.find_elements(By.CSS_SELECTOR, "#pay-choices button[data-provider]")
        browser.shot("no-provider")
        browser.assert_healthy()
    finally:
        api.ok("PATCH", "/admin/settings", {"values": {"payments.sandboxEnabled": True, "payments.alipayEnabled": True}}, token=admin)
