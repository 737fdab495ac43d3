#!/usr/bin/env python3
"""A stand-in for the chainmall binary, for testing the benchmark harness without Swift.

It speaks the same commands and endpoints the harness uses, checks what it is sent strictly
(so a broken scenario script shows up as errors), and keeps the stampede stock honestly:

    CHAINMALL_BIN=bench/fake_server.py bench/run --quick           # the whole harness, end to end
    DATA_DIR=/tmp/fake bench/fake_server.py bench-seed --out /tmp/fake/fixtures
    DATA_DIR=/tmp/fake bench/fake_server.py serve --hostname 127.0.0.1 --port 8099
    DATA_DIR=/tmp/fake bench/fake_server.py bench-check --sku <stampede sku>
    DATA_DIR=/tmp/fake bench/fake_server.py bench-check --flash-session <id> [--gate live.json] [--expect-sold-out]

Its state is a JSON file, $DATA_DIR/fake_state.json, also when DATABASE_URL is set (that is
ignored); it listens on 127.0.0.1 only.
FAKE_CHAOS=0.01 answers that fraction of API requests with 500, to test error counting.
FAKE_DELAY_MS=2 adds that much latency to every API request.
"""
import argparse
import calendar
import json
import os
import random
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

KEYWORDS = ["牛奶", "苹果", "面包", "鸡蛋", "大米", "酸奶", "香蕉", "咖啡", "矿泉水", "橙汁", "water", "tea"]


def data_dir():
    # DATABASE_URL is ignored: the state is always a JSON file under DATA_DIR (bench/run sets
    # DATA_DIR for PostgreSQL runs too), so the harness's PostgreSQL path can be tested as well.
    return os.environ.get("DATA_DIR") or "data"


def state_path():
    return os.path.join(data_dir(), "fake_state.json")


def seed(args):
    rng = random.Random(42)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(data_dir(), exist_ok=True)
    u = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))
    categories = [u() for _ in range(max(3, args.products // 100))]
    products = [u() for _ in range(args.products)]
    skus = [u() for _ in range(args.products)]
    members = min(args.members, args.shoppers)
    tokens = [f"member-{i}-{rng.getrandbits(64):016x}" for i in range(members)]
    stampede = {"skuId": u(), "units": args.stampede_units or (100 if args.products <= 1000 else 1000)}
    flash = {"sessionId": u(), "skuId": u(), "units": args.flash_units or (100 if args.products <= 1000 else 1000),
             "perMemberLimit": args.flash_limit}
    staff = f"staff-{rng.getrandbits(64):016x}"
    desk = u()
    with open(os.path.join(args.out, "member_tokens.txt"), "w") as f:
        f.write("\n".join(tokens) + "\n")
    fixtures = {
        "categoryIds": categories, "productIds": products, "skuIds": skus, "keywords": KEYWORDS,
        "center": {"lat": 31.2304, "lng": 121.4737}, "stampede": stampede, "flashSale": flash,
        "memberTokensFile": os.path.join(args.out, "member_tokens.txt"), "staffToken": staff, "deskStoreId": desk,
    }
    with open(os.path.join(args.out, "fixtures.json"), "w") as f:
        json.dump(fixtures, f, ensure_ascii=False, indent=1)
    state = {"fixtures": fixtures, "tokens": tokens, "startingStock": stampede["units"], "remaining": stampede["units"],
             "ordersPlaced": 0, "overlaps": {}, "requests": 0,
             # The flash session opens two days later, until bench/run moves it (PUT).
             "flash": {"startsAt": time.time() + 2 * 86400, "length": 3600, "sold": 0, "bought": {}, "refusals": 0}}
    with open(state_path(), "w") as f:
        json.dump(state, f)
    time.sleep(0.2)
    print(f"fake bench-seed: {len(products)} products, {members} member tokens, stampede {stampede['units']} units")


class Mall:
    def __init__(self, state):
        self.state = state
        fx = state["fixtures"]
        self.categories = set(fx["categoryIds"])
        self.products = set(fx["productIds"])
        self.skus = set(fx["skuIds"]) | {fx["stampede"]["skuId"]}
        self.stampede_sku = fx["stampede"]["skuId"]
        self.members = set(state["tokens"])
        self.staff = fx["staffToken"]
        self.desk = fx["deskStoreId"]
        self.lock = threading.Lock()
        self.carts = {}          # token -> {sku: qty}
        self.idempotency = {}    # (token, key) -> (status, body)
        self.payments = {}       # payment id -> [token, paid]
        self.inflight = {}       # token -> count of requests being handled
        self.flash_keys = {}     # (token, key) -> purchase answer
        self.chaos = float(os.environ.get("FAKE_CHAOS") or 0)
        self.delay = float(os.environ.get("FAKE_DELAY_MS") or 0) / 1000

    def save(self):
        tmp = state_path() + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f)
        os.replace(tmp, state_path())


def problem(status, title, detail=None):
    doc = {"type": "about:blank", "title": title, "status": status}
    if detail:
        doc["detail"] = detail
    return status, doc, "application/problem+json"


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def flash_session(mall):
    fx, f = mall.state["fixtures"]["flashSale"], mall.state["flash"]
    return {"id": fx["sessionId"], "title": "压测秒杀场", "startsAt": iso(f["startsAt"]), "endsAt": iso(f["startsAt"] + f["length"]),
            "perMemberLimit": fx["perMemberLimit"],
            "items": [{"skuId": fx["skuId"], "storeId": mall.desk, "flashPriceFen": 495, "quota": fx["units"], "sold": f["sold"]}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-chainmall"
    disable_nagle_algorithm = True
    mall: Mall = None

    def log_message(self, fmt, *args):
        pass

    def send(self, status, obj, ctype="application/json"):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body_json(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return None
        return json.loads(raw)

    def member(self):
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        return token if token in self.mall.members else None

    def handle_any(self, method):
        mall = self.mall
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        try:
            body = self.body_json()
        except ValueError:
            return self.send(*problem(400, "body is not JSON"))
        if url.path == "/healthz":
            return self.send(200, {"status": "ok"})
        with mall.lock:
            mall.state["requests"] += 1
        if mall.delay:
            time.sleep(mall.delay)
        if mall.chaos and random.random() < mall.chaos:
            return self.send(*problem(500, "chaos"))
        token = self.member()
        if token:
            with mall.lock:
                mall.inflight[token] = mall.inflight.get(token, 0) + 1
                if mall.inflight[token] > 1:
                    key = parts[2] if len(parts) > 2 else url.path
                    mall.state["overlaps"][key] = mall.state["overlaps"].get(key, 0) + 1
        try:
            return self.route(method, parts, q, body, token)
        finally:
            if token:
                with mall.lock:
                    mall.inflight[token] -= 1

    def route(self, method, parts, q, body, token):
        mall = self.mall
        if parts[:2] != ["api", "v1"]:
            return self.send(*problem(404, "not found"))
        rest = parts[2:]
        if method == "GET" and rest == ["products"]:
            per = int(q.get("per", "20"))
            if "categoryId" in q:
                if q["categoryId"] not in mall.categories:
                    return self.send(*problem(404, "no such category"))
            elif not q.get("q"):
                return self.send(*problem(400, "categoryId or q"))
            return self.send(200, {"items": [{"id": str(uuid.uuid4()), "title": f"商品 {i}", "priceFen": 990} for i in range(per)],
                                   "metadata": {"page": 1, "per": per, "total": 1000}})
        if method == "GET" and len(rest) == 2 and rest[0] == "products":
            if rest[1] not in mall.products:
                return self.send(*problem(404, "no such product"))
            float(q["lat"]), float(q["lng"])
            return self.send(200, {"id": rest[1], "title": "纯牛奶 250ml", "skus": [{"id": str(uuid.uuid4()), "available": 12}]})
        if method == "GET" and rest == ["stores", "nearby"]:
            float(q["lat"]), float(q["lng"]), float(q["radiusKm"])
            return self.send(200, [{"id": str(uuid.uuid4()), "name": "静安寺店", "distanceKm": 1.2}])
        flash_path = ["admin", "marketing", "flash-sales", mall.state["fixtures"]["flashSale"]["sessionId"]]
        if rest[:4] == flash_path:
            if self.headers.get("Authorization") != "Bearer " + mall.staff:
                return self.send(*problem(401, "staff token required"))
            with mall.lock:
                if method == "GET" and len(rest) == 4:
                    return self.send(200, flash_session(mall))
                if method == "PUT" and len(rest) == 4:
                    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                        return self.send(*problem(400, "bad session"))
                    if mall.state["flash"]["startsAt"] <= time.time():
                        return self.send(*problem(409, "Conflict", "A flash sale that has started or ended cannot be changed."))
                    starts = calendar.timegm(time.strptime(body["startsAt"], "%Y-%m-%dT%H:%M:%SZ"))
                    mall.state["flash"]["startsAt"] = starts
                    return self.send(200, flash_session(mall))
                if method == "GET" and rest[4:] == ["live"]:
                    fx, f = mall.state["fixtures"]["flashSale"], mall.state["flash"]
                    left = fx["units"] - f["sold"]
                    return self.send(200, {"session": flash_session(mall), "refusals": f["refusals"], "items": [
                        {"skuId": fx["skuId"], "title": "秒杀", "quota": fx["units"], "sold": f["sold"], "quotaLeft": left, "gateLeft": left,
                         "orders": len(f["bought"]), "paidOrders": 0, "paidRevenueFen": 0}]})
            return self.send(*problem(404, "not found"))
        if method == "GET" and rest == ["admin", "orders"]:
            if self.headers.get("Authorization") != "Bearer " + mall.staff:
                return self.send(*problem(401, "staff token required"))
            if q.get("storeId") != mall.desk:
                return self.send(*problem(403, "not your store"))
            return self.send(200, {"items": [], "metadata": {"page": 1, "per": int(q.get("per", "20")), "total": 0}})
        if not token:
            return self.send(*problem(401, "member token required"))
        if method == "POST" and rest == ["cart", "lines"]:
            if not isinstance(body, dict) or body.get("skuId") not in mall.skus or not 1 <= int(body.get("quantity", 0)) <= 999:
                return self.send(*problem(422, "bad cart line"))
            with mall.lock:
                cart = mall.carts.setdefault(token, {})
                if body["skuId"] not in cart and len(cart) >= 100:
                    return self.send(*problem(409, "A cart holds at most 100 different items."))
                cart[body["skuId"]] = min(999, cart.get(body["skuId"], 0) + int(body["quantity"]))
                lines = dict(cart)
            return self.send(200, {"groups": [{"lines": [{"skuId": k, "quantity": v} for k, v in lines.items()]}]})
        if method == "DELETE" and len(rest) == 3 and rest[:2] == ["cart", "lines"]:
            with mall.lock:
                mall.carts.get(token, {}).pop(rest[2], None)
            return self.send(200, {"groups": []})
        if method == "POST" and rest == ["checkout"]:
            key = self.headers.get("Idempotency-Key", "")
            if not 8 <= len(key) <= 100:
                return self.send(*problem(400, "Idempotency-Key must be 8-100 characters"))
            if body != {}:
                return self.send(*problem(400, "checkout body must be {}"))
            with mall.lock:
                if (token, key) in mall.idempotency:  # a replay: the same answer, 200 for a placed checkout
                    status, doc, ctype = mall.idempotency[(token, key)]
                    return self.send(200 if status == 201 else status, doc, ctype)
                cart = mall.carts.get(token, {})
                if not cart:
                    result = problem(422, "The cart is empty.")
                else:
                    want = cart.get(mall.stampede_sku, 0)
                    if want > mall.state["remaining"]:
                        result = problem(409, "Sold out.")
                    else:
                        if want:
                            mall.state["remaining"] -= want
                            mall.state["ordersPlaced"] += 1
                            mall.save()
                        payment = str(uuid.uuid4())
                        mall.payments[payment] = [token, False]
                        mall.carts[token] = {}
                        result = (201, {"orders": [{"id": str(uuid.uuid4()), "payment": {"id": "not-this-one"}}],
                                        "payment": {"amountFen": 990, "provider": {"id": "sandbox"}, "id": payment}},
                                  "application/json")
                mall.idempotency[(token, key)] = result
            return self.send(*result)
        if method == "POST" and len(rest) == 3 and rest[0] == "flash-sales" and rest[2] == "purchases":
            return self.flash_purchase(rest[1], body, token)
        if method == "POST" and len(rest) == 4 and rest[0] == "payments" and rest[2:] == ["sandbox", "complete"]:
            with mall.lock:
                entry = mall.payments.get(rest[1])
                if not entry or entry[0] != token:
                    return self.send(*problem(404, "no such payment"))
                entry[1] = True
            return self.send(200, {"id": rest[1], "status": "paid"})
        return self.send(*problem(404, "not found"))

    def flash_purchase(self, session_id, body, token):
        mall = self.mall
        fx, f = mall.state["fixtures"]["flashSale"], mall.state["flash"]
        if session_id != fx["sessionId"]:
            return self.send(*problem(404, "No such flash-sale session."))
        key = self.headers.get("Idempotency-Key", "")
        if not 8 <= len(key) <= 100:
            return self.send(*problem(422, "Idempotency-Key must be 8-100 characters"))
        if not isinstance(body, dict) or body.get("skuId") != fx["skuId"] or not 1 <= int(body.get("quantity", 1)) <= 99:
            return self.send(*problem(422, "bad purchase"))
        quantity = int(body.get("quantity", 1))
        with mall.lock:
            if (token, key) in mall.flash_keys:
                return self.send(200, mall.flash_keys[(token, key)])
            if time.time() < f["startsAt"]:
                return self.send(*problem(409, "Conflict", f"This flash sale opens for you at {iso(f['startsAt'])}."))
            if f["sold"] + quantity > fx["units"]:
                f["refusals"] += 1
                return self.send(*problem(409, "Conflict", "This flash-sale item is sold out."))
            held = f["bought"].get(token, 0)
            if held + quantity > fx["perMemberLimit"]:
                return self.send(*problem(409, "Conflict", f"You may buy at most {fx['perMemberLimit']} of this item in this flash sale; "
                                                           f"{fx['perMemberLimit'] - held} left for you."))
            f["sold"] += quantity
            f["bought"][token] = held + quantity
            mall.save()
            answer = {"purchase": {"id": str(uuid.uuid4()), "quantity": quantity, "unitPriceFen": 495, "status": "active"},
                      "payment": {"id": str(uuid.uuid4()), "amountFen": 495 * quantity}}
            mall.flash_keys[(token, key)] = answer
        return self.send(201, answer)

    def do_PUT(self):
        self.handle_any("PUT")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")


def serve(args):
    if args.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("fake_server.py listens on 127.0.0.1 only")
    with open(state_path()) as f:
        state = json.load(f)
    Handler.mall = Mall(state)
    ThreadingHTTPServer.request_queue_size = 1024  # the default backlog of 5 drops SYNs at 64 connections
    server = ThreadingHTTPServer((args.hostname, args.port), Handler)
    server.daemon_threads = True
    import signal
    signal.signal(signal.SIGTERM, lambda *_: (Handler.mall.save(), os._exit(0)))
    print(f"fake chainmall on http://{args.hostname}:{args.port}", flush=True)
    server.serve_forever()


def check_flash(args, s):
    fx, f = s["fixtures"]["flashSale"], s["flash"]
    over = sum(1 for units in f["bought"].values() if units > fx["perMemberLimit"])
    result = {"quota": fx["units"], "sold": f["sold"], "activePurchaseUnits": sum(f["bought"].values()), "soldOut": f["sold"] == fx["units"],
              "perMemberLimit": fx["perMemberLimit"], "buyers": len(f["bought"]), "membersOverLimit": over, "ledgerMatchesProjection": True}
    if args.gate:
        with open(args.gate) as g:
            live = json.load(g)
        result["gateLeft"] = live["items"][0]["gateLeft"]
        result["gateRefusals"] = live["refusals"]
        result["gateMatchesDatabase"] = result["gateLeft"] == fx["units"] - f["sold"]
    result["ok"] = (args.flash_session == fx["sessionId"] and f["sold"] <= fx["units"] and over == 0
                    and result.get("gateMatchesDatabase", True) and (not args.expect_sold_out or result["soldOut"]))
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


def check(args):
    with open(state_path()) as f:
        s = json.load(f)
    if args.flash_session:
        return check_flash(args, s)
    sku = s["fixtures"]["stampede"]["skuId"]
    sold = s["startingStock"] - s["remaining"]
    result = {"startingStock": s["startingStock"], "remaining": s["remaining"], "sold": sold,
              "ordersPlaced": s["ordersPlaced"], "negativeStockRows": int(s["remaining"] < 0),
              "ordersWithoutReservation": 0, "ledgerMatchesProjection": True,
              "fakeMemberOverlaps": s.get("overlaps", {})}
    result["ok"] = args.sku == sku and s["remaining"] >= 0 and sold == s["ordersPlaced"]
    print("[ WARNING ] a log line before the JSON, as a real server might print")
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("bench-seed")
    s.add_argument("--out", required=True)
    for name, default in (("products", 10000), ("stores", 50), ("members", 100000), ("orders", 200000), ("catalog-scale", 1),
                          ("shoppers", 5000), ("stampede-units", 0), ("flash-units", 0), ("flash-limit", 2)):
        s.add_argument("--" + name, type=int, default=default)
    s = sub.add_parser("serve")
    s.add_argument("--hostname", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s = sub.add_parser("bench-check")
    s.add_argument("--sku")
    s.add_argument("--flash-session")
    s.add_argument("--gate")
    s.add_argument("--expect-sold-out", action="store_true")
    args = p.parse_args()
    {"bench-seed": seed, "serve": serve, "bench-check": check}[args.command](args)


if __name__ == "__main__":
    main()
