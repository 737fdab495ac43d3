"""The requests that once ended the whole process (issue #12's six crashers and their kin), sent
to the real server: each gets a 4xx problem, and the same process keeps answering."""
from __future__ import annotations

import json


def first_sku(server) -> tuple[str, str]:
    """A product and one of its SKUs from the demo catalogue."""
    listing = server.request("GET", "/api/v1/products?per=1&sort=sales").json()
    product = listing["items"][0]["id"]
    detail = server.request("GET", f"/api/v1/products/{product}").json()
    return product, detail["skus"][0]["id"]


def store_id(server, token: str, code: str) -> str:
    stores = server.request("GET", "/api/v1/admin/stores?per=200", token=token).json()["items"]
    return next(store["id"] for store in stores if store["code"] == code)


def expect_refused(server, response, status: int, field: str | None = None):
    assert response.status == status, f"{response.status}: {response.text}"
    assert response.headers.get("Content-Type", "").startswith("application/problem+json"), response.headers
    if field is not None:
        fields = [error["field"] for error in response.json().get("errors", [])]
        assert field in fields, response.text
    assert server.alive(), f"the server died\n{server.log_tail()}"


def test_the_six_crashers_are_refused_and_the_server_keeps_serving(launch):
    server = launch()
    admin = server.login("admin", "Demo@2026", staff=True)
    clerk = server.login("ja.clerk", "Demo@2026", staff=True)
    ja = store_id(server, admin, "SH-JA01")
    xh = store_id(server, admin, "SH-XH02")
    _, sku = first_sku(server)

    # 1. A page number no offset can hold, anonymous and on staff lists.
    expect_refused(server, server.request("GET", "/api/v1/products?page=1000000000000000000"), 422, "page")
    for path in ("/api/v1/admin/orders", "/api/v1/admin/staff"):
        expect_refused(server, server.request("GET", path + "?page=1000000000000000000", token=admin), 422, "page")

    # 2. An adjustment of Int.min units, and the POS batch with the same quantity.
    adjustment = f'{{"storeId":"{ja}","skuId":"{sku}","delta":-9223372036854775808,"reason":"盘点差异"}}'
    expect_refused(server, server.request("POST", "/api/v1/admin/inventory/adjustments", raw=adjustment.encode(), token=clerk), 422, "delta")
    batch = f'{{"externalReference":"POS-1","kind":"movements","lines":[{{"skuId":"{sku}","quantity":-9223372036854775808}}]}}'
    expect_refused(server, server.request("POST", f"/api/v1/admin/inventory/sync/{ja}/batches", raw=batch.encode(), token=clerk),
                   422, "lines[0].quantity")

    # 3. Stocktake adds of Int.max, twice.
    sheet = server.request("POST", "/api/v1/admin/stocktakes", {"storeId": ja}, token=clerk).json()
    count = f'{{"mode":"add","lines":[{{"skuId":"{sku}","quantity":9223372036854775807}}]}}'
    for _ in range(2):
        expect_refused(server, server.request("POST", f"/api/v1/admin/stocktakes/{sheet['id']}/counts", raw=count.encode(), token=clerk),
                       422, "lines[0].quantity")

    # 4. A store price and a scheduled price of Int.max fen, then two of them in a cart.
    price = b'{"priceFen":9223372036854775807}'
    expect_refused(server, server.request("PUT", f"/api/v1/admin/skus/{sku}/store-prices/{ja}", raw=price, token=admin), 422, "priceFen")
    scheduled = b'{"priceFen":9223372036854775807,"effectiveFrom":"2030-01-01T00:00:00Z"}'
    expect_refused(server, server.request("POST", f"/api/v1/admin/skus/{sku}/scheduled-prices", raw=scheduled, token=admin), 422, "priceFen")
    cart = server.request("POST", "/api/v1/cart/lines", {"skuId": sku, "quantity": 2})
    assert cart.status == 200 and cart.json()["subtotalFen"] > 0, cart.text

    # 5. A transfer line of 2^62 units.
    transfer = f'{{"fromStoreId":"{ja}","toStoreId":"{xh}","lines":[{{"skuId":"{sku}","quantity":4611686018427387904}}]}}'
    expect_refused(server, server.request("POST", "/api/v1/admin/transfers", raw=transfer.encode(), token=admin), 422, "lines[0].quantity")

    # 6. The stock lookup with an empty store id, anonymous (401) and signed in (422).
    expect_refused(server, server.request("GET", "/api/v1/admin/inventory/levels/lookup?storeId=&code=x"), 401)
    expect_refused(server, server.request("GET", "/api/v1/admin/inventory/levels/lookup?storeId=&code=x", token=clerk), 422, "storeId")

    # Kin: empty coordinates, numbers no field can hold, a request id meant for the logs.
    expect_refused(server, server.request("GET", "/api/v1/stores/nearby?lat=&lng=121.4"), 422)
    expect_refused(server, server.request("POST", "/api/v1/cart/lines", raw=f'{{"skuId":"{sku}","quantity":1e308}}'.encode()), 422, "quantity")
    for content_type, body in (("multipart/form-data; boundary=B", b"--B\r\n\xc2\x82--B--\r\n"), ("multipart/form-data; boundary=", b"--\r\n")):
        expect_refused(server, server.request("POST", "/api/v1/auth/login", raw=body, headers={"Content-Type": content_type}), 415)
        expect_refused(server, server.request("POST", "/api/v1/admin/media/images", raw=body, token=admin, headers={"Content-Type": content_type}), 400)
    forged = server.request("GET", "/healthz", headers={"X-Request-Id": "x" * 300})
    assert forged.status == 200 and len(forged.headers["X-Request-Id"]) <= 64

    assert server.traps() == [], server.traps()
    assert server.terminate() == 0
