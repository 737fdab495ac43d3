#!/usr/bin/env python3
"""Crash drill: three instances behind the production nginx site (deploy/nginx), one PostgreSQL;
shoppers check out and pay through nginx while one instance is killed with SIGKILL and started
again; then the database is checked against what the shoppers were told.

    DATABASE_URL=postgres://mall:mall@127.0.0.1:5432/mall bench/crash_drill.py   # wipes schema public

Options: --bin PATH (default .build/release/chainmall; a debug build works too), --instances 3,
--clients 16, --duration 40 (seconds of load), --kill-at 12 (seconds into the load),
--down-for 4 (seconds before the killed instance is started again), --report FILE (default
docs/benchmarks.md; its `crash-drill` section is replaced), --no-report. REDIS_URL, when set, is
passed to every instance.

Each shopper adds a random SKU, checks out with an Idempotency-Key and pays in the sandbox. A
checkout that fails on the way (the connection dropped, 502/503) is sent again with the same key,
as a real client would; a checkout answered 201 is "seen placed", a payment answered 200 "seen
paid". Verified afterwards, in the database:

  1. every order a shopper saw placed exists, once (no key placed two orders);
  2. every payment a shopper saw paid is paid, once, and all its orders are paid or later;
     no payment was taken twice (no duplicate-charge refund);
  3. for every stock row the ledger adds up to the projection (on hand and reserved), and none
     is negative or reserves more than it holds;
  4. no reservation is left without its order, and every live order holds its stock.

Exits 1 when any check fails. Listens on and targets 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import nginx_front

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def die(message: str) -> None:
    sys.exit(f"crash_drill: {message}")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


class Instance:
    def __init__(self, binary: Path, port: int, env: dict[str, str], log: Path):
        self.binary, self.port, self.env, self.log = binary, port, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen([str(self.binary), "serve", "--hostname", HOST, "--port", str(self.port)],
                                            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                die(f"instance on {self.port} exited ({self.process.returncode}); see {self.log}")
            try:
                c = http.client.HTTPConnection(HOST, self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        die(f"instance on {self.port} not healthy within {timeout} s; see {self.log}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def start_nginx(ports: list[int], listen: int, data_dir: Path, folder: Path) -> subprocess.Popen:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        die("nginx is not installed (apt-get install -y nginx)")
    conf = nginx_front.write(folder, ports, listen, data_dir)
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            socket.create_connection((HOST, listen), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    die("nginx did not start")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.placed: dict[str, list[str]] = {}   # idempotency key -> order ids seen
        self.payments: dict[str, bool] = {}      # payment id -> seen paid
        self.counts: dict[str, int] = {}

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1


RETRYABLE = {502, 503, 504}


def shopper(tokens: list[str], skus: list[str], port: int, stop: threading.Event, tally: Tally) -> None:
    connection: http.client.HTTPConnection | None = None

    def call(method: str, path: str, token: str, body: dict | None, headers: dict | None = None):
        nonlocal connection
        for _ in range(8):
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, port, timeout=15)
                all_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})}
                connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=all_headers)
                response = connection.getresponse()
                data = response.read()
                if response.status in RETRYABLE:
                    tally.count(f"{method} {path.split('/')[3]} {response.status} (sent again)")
                    time.sleep(0.3)
                    continue
                return response.status, data
            except (OSError, http.client.HTTPException):
                tally.count(f"{method} {path.split('/')[3]} connection lost (sent again)")
                connection = None
                time.sleep(0.3)
        return None, b""

    while not stop.is_set():
        token = random.choice(tokens)
        sku = random.choice(skus)
        status, _ = call("POST", "/api/v1/cart/lines", token, {"skuId": sku, "quantity": 1})
        if status != 200:
            tally.count(f"add {status}")
            continue
        key = f"drill-{uuid.uuid4()}"
        status, data = call("POST", "/api/v1/checkout", token, {}, {"Idempotency-Key": key})
        if status != 201:
            tally.count(f"checkout {status}")
            call("DELETE", f"/api/v1/cart/lines/{sku}", token, None)
            continue
        result = json.loads(data)
        with tally.lock:
            tally.placed[key] = [o["id"] for o in result["orders"]]
        payment = result["payment"]["id"]
        status, _ = call("POST", f"/api/v1/payments/{payment}/sandbox/complete", token, {})
        with tally.lock:
            tally.payments[payment] = status == 200
        tally.count(f"pay {status}")


def psql(url: str, sql: str) -> list[list[str]]:
    out = subprocess.run(["psql", url, "-X", "-q", "-tA", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def wait_for_notifications(url: str, tally: Tally, timeout: float = 90) -> float:
    """The sandbox confirms a payment as a real gateway does: its notification reaches the mall
    after the shopper's page said "paid". Waits until every payment seen paid is recorded paid
    (or the time is up, which the checks then report); returns the seconds waited."""
    paid = [p for p, ok in tally.payments.items() if ok]
    started = time.monotonic()
    if not paid:
        return 0.0
    ids = ",".join(f"'{p}'" for p in paid)
    while time.monotonic() - started < timeout:
        if int(psql(url, f"SELECT count(*) FROM payments WHERE id IN ({ids}) AND status <> 'paid'")[0][0]) == 0:
            break
        time.sleep(1)
    return time.monotonic() - started


def verify(url: str, tally: Tally, since: datetime) -> dict:
    seen_orders = [o for ids in tally.placed.values() for o in ids]
    found = {row[0].lower() for row in psql(url, "SELECT id FROM orders")}
    missing_orders = [o for o in seen_orders if o.lower() not in found]
    paid = [p for p, ok in tally.payments.items() if ok]
    unpaid_seen_paid, orders_not_paid = 0, 0
    if paid:
        ids = ",".join(f"'{p}'" for p in paid)
        unpaid_seen_paid = int(psql(url, f"SELECT count(*) FROM payments WHERE id IN ({ids}) AND (status <> 'paid' OR paid_at IS NULL)")[0][0])
        orders_not_paid = int(psql(url, f"""
            SELECT count(*) FROM orders o JOIN payments p ON p.checkout_id = o.checkout_id
            WHERE p.id IN ({ids}) AND (o.paid_at IS NULL OR o.status IN ('pending_payment', 'cancelled', 'expired'))""")[0][0])
    duplicate_charges = int(psql(url, "SELECT count(*) FROM refunds")[0][0])
    placed_per_key = len(seen_orders) - len(set(seen_orders))
    ledger = psql(url, """
        SELECT count(*) FROM stock_levels l
        LEFT JOIN (SELECT store_id, sku_id, SUM(on_hand_delta) AS h, SUM(reserved_delta) AS r FROM stock_movements GROUP BY store_id, sku_id) m
          ON m.store_id = l.store_id AND m.sku_id = l.sku_id
        WHERE COALESCE(m.h, 0) <> l.on_hand OR COALESCE(m.r, 0) <> l.reserved""")
    negative = psql(url, "SELECT count(*) FROM stock_levels WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand")
    orphans = psql(url, """
        SELECT count(*) FROM stock_movements m WHERE m.kind = 'reserve' AND m.reference_type = 'order'
          AND NOT EXISTS (SELECT 1 FROM orders o WHERE lower(o.id::text) = lower(m.reference_id))""")
    unheld = psql(url, f"""
        SELECT count(*) FROM orders o WHERE o.status NOT IN ('cancelled', 'expired') AND o.created_at >= '{since.isoformat()}'
          AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.kind = 'reserve' AND lower(m.reference_id) = lower(o.id::text))""")
    result = {
        "checkoutsSeenPlaced": len(tally.placed), "ordersSeenPlaced": len(seen_orders), "ordersMissing": len(missing_orders),
        "ordersPlacedTwice": placed_per_key, "paymentsSeenPaid": len(paid), "seenPaidButNotPaid": unpaid_seen_paid,
        "ordersOfPaidPaymentsNotPaid": orders_not_paid, "duplicateChargeRefunds": duplicate_charges,
        "ledgerRowsOff": int(ledger[0][0]), "negativeStockRows": int(negative[0][0]),
        "reservationsWithoutOrder": int(orphans[0][0]), "liveOrdersWithoutReservation": int(unheld[0][0]),
        "ordersInDatabase": len(found),
    }
    result["ok"] = (result["ordersMissing"] == 0 and placed_per_key == 0 and unpaid_seen_paid == 0 and orders_not_paid == 0
                    and duplicate_charges == 0 and result["ledgerRowsOff"] == 0 and result["negativeStockRows"] == 0
                    and result["reservationsWithoutOrder"] == 0 and result["liveOrdersWithoutReservation"] == 0)
    return result


def write_report(path: Path, record: dict) -> None:
    v, c = record["verify"], record["config"]
    sent_again = {k.replace(" (sent again)", ""): n for k, n in sorted(record["events"].items()) if "sent again" in k}
    sent_again_text = ", ".join(f"{k}: {n}" for k, n in sent_again.items()) or "none"
    body = [
        "## Crash drill: three instances, one killed with SIGKILL under checkout load", "",
        f"Measured {record['date']} at commit `{record['commit']}` with `{record['command']}` "
        f"({c['instances']} instances of `{c['binary']}` behind `deploy/nginx/chainmall.conf`, PostgreSQL"
        f"{', Redis' if c['redis'] else ''}; {c['clients']} shoppers for {c['duration']} s; instance 2 killed "
        f"{c['killAt']} s in and started again {c['downFor']} s later)."
        + (" A debug build: the drill checks what survives a crash; its throughput says nothing about speed." if "/debug/" in c["binary"] else ""), "",
        f"- Checkouts the shoppers saw placed: {v['checkoutsSeenPlaced']:,} ({v['ordersSeenPlaced']:,} orders); payments seen paid: "
        f"{v['paymentsSeenPaid']:,}; checkouts per second through nginx: {record['checkoutsPerSecond']:.1f}.",
        f"- Requests sent again after a dropped connection or a 502/503: {sum(sent_again.values()):,} "
        f"({sent_again_text}).",
        f"- The killed instance answered /healthz again {record['restartSeconds']:.1f} s after it was started.",
        "",
        "| check | result |", "| --- | ---: |",
        f"| orders seen placed but missing | {v['ordersMissing']} |",
        f"| an Idempotency-Key that placed two orders | {v['ordersPlacedTwice']} |",
        f"| payments seen paid but not paid | {v['seenPaidButNotPaid']} |",
        f"| orders of paid payments not paid | {v['ordersOfPaidPaymentsNotPaid']} |",
        f"| payments taken twice (duplicate-charge refunds) | {v['duplicateChargeRefunds']} |",
        f"| stock rows whose ledger differs from the projection | {v['ledgerRowsOff']} |",
        f"| negative or over-reserved stock rows | {v['negativeStockRows']} |",
        f"| reservations without their order | {v['reservationsWithoutOrder']} |",
        f"| live orders holding no stock | {v['liveOrdersWithoutReservation']} |",
        "", f"Verdict: **{'passed' if v['ok'] else 'FAILED'}**.", "",
    ]
    section = "<!-- bench:section crash-drill -->\n" + "\n".join(body) + "<!-- bench:end crash-drill -->\n"
    text = path.read_text() if path.exists() else ""
    start, end = "<!-- bench:section crash-drill -->", "<!-- bench:end crash-drill -->\n"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    elif "## Memory by run" in text:
        text = text.replace("## Memory by run", section + "\n## Memory by run", 1)
    else:
        text += "\n" + section
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "chainmall"))
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=int, default=40)
    parser.add_argument("--kill-at", type=float, default=12)
    parser.add_argument("--down-for", type=float, default=4)
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        die("set DATABASE_URL to a PostgreSQL database (several instances share one; its schema public is wiped)")
    if not 2 <= args.instances <= 8 or not 1 <= args.clients <= 256 or not args.kill_at < args.duration:
        die("--instances 2..8, --clients 1..256, and --kill-at before the end of --duration")
    binary = Path(args.bin).resolve()
    if not binary.exists():
        die(f"no server binary at {binary} (swift build -c release --product chainmall)")
    work = Path(tempfile.mkdtemp(prefix="chainmall-drill-"))
    data_dir = work / "data"
    data_dir.mkdir()
    say(f"work folder {work}; resetting schema public")
    subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "DROP SCHEMA IF EXISTS public CASCADE", "-c", "CREATE SCHEMA public"], check=True)
    env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": str(data_dir), "JWT_SECRET": secrets.token_urlsafe(48),
           "SANDBOX_PAYMENT_SECRET": secrets.token_urlsafe(32), "TRUST_PROXY": "true", "LOG_LEVEL": "warning",
           "ACCESS_TOKEN_TTL_SECONDS": "86400", "DATABASE_POOL_SIZE": "4"}
    say("bench-seed (small data set)")
    fixtures = work / "fixtures"
    subprocess.run([str(binary), "bench-seed", "--out", str(fixtures), "--products", "500", "--stores", "10", "--members", "2000",
                    "--orders", "1000", "--shoppers", "400", "--stampede-units", "100", "--flash-units", "100"],
                   cwd=ROOT, env=env, check=True, stdout=open(work / "seed.log", "w"), stderr=subprocess.STDOUT)
    lists = work / "lists"
    subprocess.run([sys.executable, str(ROOT / "bench" / "flatten_fixtures.py"), str(fixtures / "fixtures.json"), str(lists)], check=True)
    tokens = (lists / "tokens_checkout.txt").read_text().split()
    skus = (lists / "skus.txt").read_text().split()

    instances = [Instance(binary, free_port(), env, work / f"instance-{i + 1}.log") for i in range(args.instances)]
    nginx = None
    try:
        # One at a time: each migrates at start, and the first does the work.
        for instance in instances:
            instance.start()
            instance.wait_healthy()
        listen = free_port()
        nginx = start_nginx([i.port for i in instances], listen, data_dir, work / "nginx")
        say(f"{args.instances} instances on {', '.join(str(i.port) for i in instances)} behind nginx on {HOST}:{listen}")

        tally, stop = Tally(), threading.Event()
        per = max(1, len(tokens) // args.clients)
        threads = [threading.Thread(target=shopper, args=(tokens[i * per:(i + 1) * per] or tokens, skus, listen, stop, tally), daemon=True)
                   for i in range(args.clients)]
        started, load_began = time.monotonic(), datetime.now(timezone.utc)
        for t in threads:
            t.start()
        time.sleep(args.kill_at)
        victim = instances[1]
        say(f"kill -9 the instance on {victim.port} ({len(tally.placed)} checkouts so far)")
        victim.kill()
        time.sleep(args.down_for)
        say("starting it again")
        restart = time.monotonic()
        victim.start()
        victim.wait_healthy()
        restart_seconds = time.monotonic() - restart
        time.sleep(max(0.0, args.duration - (time.monotonic() - started)))
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - started
        say(f"load over: {len(tally.placed)} checkouts seen placed in {elapsed:.0f} s")
        for k, n in sorted(tally.counts.items()):
            print(f"    {k}: {n}")
        waited = wait_for_notifications(url, tally)
        say(f"payment notifications all in {waited:.1f} s after the load")
        result = verify(url, tally, load_began)
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(timeout=10)
        for instance in instances:
            instance.stop()
    print(json.dumps(result, indent=1))
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    record = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit,
              "command": "DATABASE_URL=… bench/crash_drill.py" + "".join(f" {a}" for a in sys.argv[1:]),
              "config": {"instances": args.instances, "clients": args.clients, "duration": args.duration, "killAt": args.kill_at,
                         "downFor": args.down_for, "binary": os.path.relpath(binary, ROOT), "redis": bool(os.environ.get("REDIS_URL"))},
              "checkoutsPerSecond": len(tally.placed) / elapsed, "restartSeconds": restart_seconds,
              "events": tally.counts, "verify": result}
    (work / "drill.json").write_text(json.dumps(record, indent=1))
    if not args.no_report:
        write_report(Path(args.report), record)
        say(f"wrote the crash-drill section of {args.report}")
    say(f"{'PASSED' if result['ok'] else 'FAILED'}; logs in {work}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
