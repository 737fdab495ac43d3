"""SIGTERM in the middle of a checkout load, as every deploy and restart sends it: each request
completes or is refused before it starts, the process exits 0 without a trap, and what it wrote
adds up when it comes back."""
from __future__ import annotations

import http.client
import json
import threading
import time
import uuid


SHOPPERS = 16


def shopping_setup(server):
    """A SKU with plenty of stock at a self-pickup store, and shoppers with it in their carts."""
    admin = server.login("admin", "Demo@2026", staff=True)
    stores = server.request("GET", "/api/v1/admin/stores?per=200", token=admin).json()["items"]
    store = next(s for s in stores if s["code"] == "SH-JA01")
    listing = server.request("GET", "/api/v1/products?per=100").json()["items"]
    product = next(p for p in listing if p["merchantId"] == store["merchantId"])
    sku = server.request("GET", f"/api/v1/products/{product['id']}").json()["skus"][0]["id"]
    receipt = server.request("POST", "/api/v1/admin/inventory/receipts",
                             {"storeId": store["id"], "lines": [{"skuId": sku, "quantity": 100000}]}, token=admin)
    assert receipt.status == 200, receipt.text
    tokens = []
    for n in range(SHOPPERS):
        registered = server.request("POST", "/api/v1/auth/register", {"mobile": f"1370000{n:04d}", "password": "Shop@2026"})
        assert registered.status == 201, registered.text
        token = registered.json()["tokens"]["accessToken"]
        chosen = server.request("PUT", f"/api/v1/cart/fulfilments/{store['merchantId']}", {"mode": "pickup", "storeId": store["id"]}, token=token)
        assert chosen.status == 200, chosen.text
        tokens.append(token)
    return sku, store, tokens


class Outcomes:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[int, int] = {}
        self.refused = 0
        self.reset: list[str] = []
        self.created = 0

    def add(self, status: int):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 201:
                self.created += 1


def shopper(port: int, token: str, sku: str, stop: threading.Event, outcomes: Outcomes):
    """Adds to the cart and checks out, again and again, on a new connection each time."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    steps = [("POST", "/api/v1/cart/lines", json.dumps({"skuId": sku, "quantity": 1})), ("POST", "/api/v1/checkout", "{}")]
    while not stop.is_set():
        for method, path, body in steps:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            extra = {"Idempotency-Key": str(uuid.uuid4())} if path.endswith("checkout") else {}
            try:
                connection.connect()
            except ConnectionRefusedError:
                with outcomes.lock:
                    outcomes.refused += 1
                return  # the listener is closed: the server is going away
            try:
                connection.request(method, path, body=body, headers={**headers, **extra})
                response = connection.getresponse()
                response.read()
                outcomes.add(response.status)
            except (OSError, http.client.HTTPException) as error:
                # Connected, yet no answer: the kernel had queued the connection when the
                # listener closed, or the server closed it idle before reading the request.
                # Either way it was never served, which the orders counted below prove.
                with outcomes.lock:
                    outcomes.reset.append(f"{method} {path}: {type(error).__name__}")
                return
            finally:
                connection.close()


def test_sigterm_during_checkout_load(launch):
    server = launch(env={"SHUTDOWN_GRACE_SECONDS": "20"})
    sku, store, tokens = shopping_setup(server)
    before = json.loads(server.command("bench-check", "--sku", sku).stdout.strip().splitlines()[-1])
    stop = threading.Event()
    outcomes = Outcomes()
    threads = [threading.Thread(target=shopper, args=(server.port, token, sku, stop, outcomes)) for token in tokens]
    for thread in threads:
        thread.start()
    time.sleep(3)
    assert outcomes.created > 0, f"the load never got going: {outcomes.statuses}"
    status = server.terminate(timeout=60)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert status == 0, f"exit status {status}\n{server.log_tail()}"
    assert server.traps() == [], server.traps()
    assert "Shutting down: requests finished" in server.log_text(), server.log_tail()
    assert all(code < 500 for code in outcomes.statuses), outcomes.statuses
    assert outcomes.refused + len(outcomes.reset) >= len(tokens), "every shopper ran into the closed listener"

    # Back up on the same database: every answered checkout is an order with its stock held, and
    # no other order exists (so no request whose answer was lost had written one).
    server.start()
    check = server.command("bench-check", "--sku", sku)
    report = json.loads(check.stdout.strip().splitlines()[-1])
    assert check.returncode == 0 and report["ok"], report
    assert report["ordersPlaced"] == before["ordersPlaced"] + outcomes.created, (before, report, outcomes.statuses)
    assert report["reserved"] == before["reserved"] + outcomes.created, (before, report)
    assert server.terminate() == 0
