"""Shared helpers for the fuzzing stage (tests/fuzz/run): a tiny HTTP client on urllib, sign-in,
and the demo fixture (real ids fetched from, or created in, a server started with --demo).

Standard library only, plus PyYAML where the OpenAPI document is read (through
check_openapi_ranges, whose $ref resolution the extreme-integer pass reuses).
"""

import json
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ADMIN_LOGIN = {"login": "admin", "password": "Demo@2026"}
MEMBER_LOGIN = {"login": "13800138000", "password": "Shop@2026"}


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body  # bytes
        self.elapsed = elapsed

    @property
    def content_type(self):
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class TransportError(Exception):
    """No HTTP answer: refused, reset, or no answer within the timeout (a hang)."""

    def __init__(self, kind, detail):
        super().__init__("%s: %s" % (kind, detail))
        self.kind = kind
        self.detail = detail


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # report redirects as they are
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Client:
    def __init__(self, base, timeout=30.0):
        self.base = base.rstrip("/")
        self.timeout = timeout

    def url(self, path, query=None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        return url

    def request(self, method, path, query=None, body=None, raw=None, headers=None, token=None, timeout=None):
        """body: a JSON value (sent as application/json); raw: bytes sent as they are."""
        url = path if path.startswith("http") else self.url(path, query)
        sent_headers = {"Accept": "application/json, application/problem+json"}
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            sent_headers["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            sent_headers["Content-Type"] = "application/json"
        if token:
            sent_headers["Authorization"] = "Bearer " + token
        sent_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, method=method, headers=sent_headers)
        started = time.monotonic()
        try:
            with _OPENER.open(request, timeout=timeout or self.timeout) as answer:
                status, got, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, got, payload = error.code, error.headers, error.read()
        except (socket.timeout, TimeoutError) as error:
            raise TransportError("timeout", "no answer within %.0fs (%s)" % (timeout or self.timeout, error))
        except urllib.error.URLError as error:
            reason = error.reason
            kind = "timeout" if isinstance(reason, (socket.timeout, TimeoutError)) else "connection"
            raise TransportError(kind, str(reason))
        except (ConnectionError, OSError) as error:  # reset mid-answer, remote closed, ...
            raise TransportError("connection", repr(error))
        lowered = {k.lower(): v for k, v in got.items()} if got is not None else {}
        return Response(status, lowered, payload, time.monotonic() - started)

    def healthy(self, timeout=5.0):
        try:
            return self.request("GET", "/healthz", timeout=timeout).status == 200
        except TransportError:
            return False


def log(message):
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def login(client, path, credentials):
    answer = client.request("POST", path, body=credentials)
    if answer.status != 200:
        raise RuntimeError("sign-in %s as %s: HTTP %d %s" % (path, credentials["login"], answer.status, answer.text[:300]))
    return answer.json()["tokens"]["accessToken"]


# -- the demo fixture ----------------------------------------------------------------------------


def _items(payload):
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ("items", "orders"):
            inner = payload.get(key)
            if isinstance(inner, list):
                return inner
            if isinstance(inner, dict) and isinstance(inner.get("items"), list):
                return inner["items"]
    return []


class Fixture:
    """Real ids by path-parameter name ("productId", "skuId", ...), tokens and the admin's own ids.

    Builds on what --demo loads and adds what it lacks (an order, a paid and delivered order with
    an after-sales case, a shipment, a stocktake, a transfer), each step best effort: a step that
    fails is reported and leaves that id list shorter. The admin's own staff id and the
    platform_admin role are kept out of the lists fuzzers draw from, since changing them could
    revoke the token the later phases use.
    """

    def __init__(self, client):
        self.client = client
        self.ids = {}
        self.admin_token = None
        self.member_token = None
        self.admin_staff_id = None
        self.admin_role_ids = set()
        self.admin_permissions = []
        self.order_line_ids = []
        self.primary = {}  # the id a single request should use, where one is better than the others
        self.notes = []

    def add(self, name, *values):
        bucket = self.ids.setdefault(name, [])
        for value in values:
            if value and value not in bucket:
                bucket.append(value)

    def note(self, message):
        self.notes.append(message)
        log("fixture: " + message)

    def get(self, path, token=None, **query):
        answer = self.client.request("GET", path, query=query or None, token=token)
        if answer.status != 200:
            self.note("GET %s -> %d %s" % (path, answer.status, answer.text[:200]))
            return None
        return answer.json()

    def step(self, label, method, path, token, body=None, headers=None):
        answer = self.client.request(method, path, body=body, token=token, headers=headers)
        if answer.status >= 300:
            self.note("%s: %s %s -> %d %s" % (label, method, path, answer.status, answer.text[:300]))
            return None
        return answer.json() if answer.body else {}

    def build(self):
        c = self.client
        self.admin_token = login(c, "/api/v1/admin/auth/login", ADMIN_LOGIN)
        self.member_token = login(c, "/api/v1/auth/login", MEMBER_LOGIN)
        admin, member = self.admin_token, self.member_token

        me = self.get("/api/v1/admin/auth/me", admin) or {}
        staff = me.get("staff") or {}
        self.admin_staff_id = staff.get("id")
        self.admin_role_ids = {g.get("roleId") for g in staff.get("grants") or []}

        for item in _items(self.get("/api/v1/admin/staff", admin, per=50)):
            if item.get("id") != self.admin_staff_id:
                self.add("staffId", item.get("id"))
        for item in _items(self.get("/api/v1/admin/roles", admin)):
            if item.get("id") not in self.admin_role_ids and item.get("code") != "platform_admin":
                self.add("roleId", item.get("id"))
        for item in _items(self.get("/api/v1/admin/merchants", admin, per=50)):
            self.add("merchantId", item.get("id"))
        stores = _items(self.get("/api/v1/admin/stores", admin, per=50))
        self.stores = stores
        for item in stores:
            self.add("storeId", item.get("id"))
        for item in _items(self.get("/api/v1/admin/members", admin, per=50)):
            self.add("memberId", item.get("id"))
        # Demo reviews: the queue, approved ones and the demo member's own (follow-ups).
        for item in _items(self.get("/api/v1/admin/reviews", admin, per=50)):
            self.add("reviewId", item.get("id"))
        for item in _items((self.get("/api/v1/me/reviews", member, state="done") or {}).get("items")):
            self.add("reviewId", (item.get("review") or {}).get("id"))
        for item in _items(self.get("/api/v1/admin/jobs", admin, per=20)):
            self.add("jobId", item.get("id"))
        for item in _items(self.get("/api/v1/admin/spec-templates", admin)):
            self.add("templateId", item.get("id"))
        categories = self.get("/api/v1/admin/categories", admin)
        self._categories(categories)
        for item in _items(self.get("/api/v1/admin/brands", admin)):
            self.add("brandId", item.get("id"))
        for item in _items(self.get("/api/v1/me/addresses", member)):
            self.add("addressId", item.get("id"))
        self.add("level", "gold", "silver")

        # Products near 静安寺 (the member's default address), with SKUs in stock there.
        lat, lng = 31.222, 121.439
        for item in _items(self.get("/api/v1/products", None, per=8, lat=lat, lng=lng)):
            self.add("productId", item.get("id"))
        in_stock = []
        for product_id in list(self.ids.get("productId", []))[:4]:
            detail = self.get("/api/v1/products/" + product_id, None, lat=lat, lng=lng) or {}
            for sku in detail.get("skus") or []:
                self.add("skuId", sku.get("id"))
                self.add("code", sku.get("barcode"))
                if (sku.get("available") or 0) >= 10:
                    in_stock.append(sku.get("id"))

        products = self.ids.get("productId", [])
        if len(products) > 4:
            self.primary["productId"] = products[-1]  # one no order refers to: its SKUs may be replaced
        self._orders(in_stock)
        self._inventory_documents()
        role = self.step("role", "POST", "/api/v1/admin/roles", admin,
                         {"code": "fuzz_" + uuid.uuid4().hex[:8], "name": "Fuzz role", "permissions": ["catalog.view", "store.view"]})
        if role is not None:
            self.add("roleId", role.get("id"))
            self.primary["roleId"] = role.get("id")
        self.admin_permissions = sorted(me.get("permissions") or [])
        for name in sorted(self.ids):
            log("fixture: %-12s %d id(s)" % (name, len(self.ids[name])))
        return self

    def _categories(self, payload):
        stack = list(_items(payload))
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                self.add("categoryId", node.get("id"))
                stack.extend(node.get("children") or [])

    def _place_order(self, sku, label):
        """Puts one SKU in the member's cart and checks out; returns (order, payment) or None."""
        member = self.member_token
        if self.step("cart", "POST", "/api/v1/cart/lines", member, {"skuId": sku, "quantity": 1}) is None:
            return None
        checkout = self.step("checkout", "POST", "/api/v1/checkout", member,
                             headers={"Idempotency-Key": "fuzz-%s-%s" % (label, uuid.uuid4().hex[:12])})
        if checkout is None or not checkout.get("orders"):
            return None
        for order in checkout["orders"]:
            self.add("orderId", order.get("id"))
            self.add("merchantId", order.get("merchantId"))
            for line in order.get("lines") or []:
                self.order_line_ids.append(line.get("id"))
        payment = checkout.get("payment") or {}
        self.add("paymentId", payment.get("id"))
        return checkout["orders"][0], payment

    def _pay(self, order_id, payment_id):
        member = self.member_token
        if self.step("pay", "POST", "/api/v1/payments/%s/sandbox/complete" % payment_id, member) is None:
            return False
        # The sandbox notifies asynchronously (a job); the order is paid once that has run.
        for _ in range(40):
            if (self.get("/api/v1/orders/" + order_id, member) or {}).get("status") != "pending_payment":
                return True
            time.sleep(0.25)
        self.note("order %s still pending payment 10 s after the sandbox payment" % order_id)
        return False

    def _orders(self, skus):
        """Three orders: one left unpaid; one paid, shipped, delivered and confirmed, with an
        after-sales case; one paid and then cancelled by the shopper, which makes a refund."""
        admin, member = self.admin_token, self.member_token
        if len(skus) < 3:
            self.note("fewer than three SKUs in stock near the demo member; no orders made")
            return
        if self._place_order(skus[0], "unpaid") is None:
            return
        placed = self._place_order(skus[1], "delivered")
        if placed is not None and self._pay(placed[0]["id"], placed[1].get("id")):
            order = placed[0]
            order_id = order["id"]
            # The delivered order is the one after-sales requests can be made for.
            self.primary["orderId"] = order_id
            if order.get("lines"):
                self.primary["orderLineId"] = order["lines"][0].get("id")
            done = all(self.step(action, "POST", "/api/v1/admin/orders/%s/%s" % (order_id, action), admin) is not None
                       for action in ("accept", "pick"))
            if done and self.step("ship", "POST", "/api/v1/admin/orders/%s/ship" % order_id, admin,
                                  {"carrier": "sf", "trackingNumber": "SF14%09d" % (int(time.time()) % 10**9)}) is not None:
                detail = self.get("/api/v1/admin/orders/" + order_id, admin) or {}
                for shipment in (detail.get("order") or {}).get("shipments") or []:
                    self.add("shipmentId", shipment.get("id"))
                if (self.step("delivered", "POST", "/api/v1/admin/orders/%s/delivered" % order_id, admin) is not None
                        and self.step("confirm", "POST", "/api/v1/orders/%s/confirm" % order_id, member) is not None
                        and order.get("lines")):
                    case = self.step("after-sales", "POST", "/api/v1/orders/%s/after-sales" % order_id, member,
                                     {"kind": "return_and_refund", "reason": "damaged", "description": "fuzz fixture",
                                      "lines": [{"orderLineId": order["lines"][0].get("id"), "quantity": 1}]})
                    if case is not None:
                        self.add("caseId", case.get("id"))
        placed = self._place_order(skus[2], "refunded")
        if placed is not None and self._pay(placed[0]["id"], placed[1].get("id")):
            if self.step("cancel", "POST", "/api/v1/orders/%s/cancel" % placed[0]["id"], member, {"reason": "fuzz"}) is not None:
                for item in _items(self.get("/api/v1/admin/refunds", admin, per=20)):
                    self.add("refundId", item.get("id"))

    def _inventory_documents(self):
        admin = self.admin_token
        stores = [s for s in self.stores if s.get("merchantId") == "00000000-0000-4000-8000-000000000001"]
        skus = self.ids.get("skuId", [])
        if not stores or not skus:
            return
        sheet = self.step("stocktake", "POST", "/api/v1/admin/stocktakes", admin, {"storeId": stores[0]["id"], "note": "fuzz"})
        if sheet is not None:
            self.add("stocktakeId", sheet.get("id"))
        if len(stores) >= 2:
            transfer = self.step("transfer", "POST", "/api/v1/admin/transfers", admin,
                                 {"fromStoreId": stores[0]["id"], "toStoreId": stores[1]["id"], "note": "fuzz",
                                  "lines": [{"skuId": skus[0], "quantity": 1}]})
            if transfer is not None:
                self.add("transferId", transfer.get("id"))
                # Shipped, so that receiving it is possible.
                self.step("ship transfer", "POST", "/api/v1/admin/transfers/%s/ship" % transfer.get("id"), admin)

    def to_json(self):
        return {
            "adminToken": self.admin_token,
            "memberToken": self.member_token,
            "adminStaffId": self.admin_staff_id,
            "adminRoleIds": sorted(r for r in self.admin_role_ids if r),
            "adminPermissions": self.admin_permissions,
            "orderLineIds": [i for i in self.order_line_ids if i],
            "primary": self.primary,
            "ids": self.ids,
            "notes": self.notes,
        }
