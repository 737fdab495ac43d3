#!/usr/bin/env python3
"""The flash_sale scenario's session, through the staff API of the running server.

    bench/flash_session.py open --base http://127.0.0.1:8089 --token-file STAFF_TOKEN --session ID [--lead 2]
    bench/flash_session.py live --base http://127.0.0.1:8089 --token-file STAFF_TOKEN --session ID --out FILE

`open` moves the session's start to `--lead` seconds from now (a whole second; the session
keeps its length, items, quotas and limit) with `PUT /api/v1/admin/marketing/flash-sales/{id}`,
as HQ would edit a session that has not started, and prints the epoch second it opens.
`live` saves `GET …/flash-sales/{id}/live` (what the server's quota gate still admits and its
refusals), which `chainmall bench-check --gate FILE` compares with the database. It first waits
(up to `--settle` seconds) until two reads a second apart agree: purchases wrk sent before it
stopped are still being decided, and a check taken meanwhile races them.
Standard library only; talks to 127.0.0.1 only.
"""
import argparse
import datetime
import json
import math
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def call(args, method, path, body=None):
    if urllib.parse.urlsplit(args.base).hostname != "127.0.0.1":
        sys.exit("flash_session.py: --base must be on 127.0.0.1")
    with open(args.token_file, encoding="utf-8") as f:
        token = f.read().strip()
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(args.base + path, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Accept": "application/json", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"flash_session.py: {method} {path}: {error.code} {error.read().decode(errors='replace')}")


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def open_session(args):
    path = f"/api/v1/admin/marketing/flash-sales/{args.session}"
    session = call(args, "GET", path)
    length = parse(session["endsAt"]) - parse(session["startsAt"])
    opens = math.ceil(time.time()) + args.lead
    edited = call(args, "PUT", path, {
        "title": session["title"], "startsAt": iso(opens), "endsAt": iso(opens + length),
        "perMemberLimit": session["perMemberLimit"],
        "items": [{"skuId": i["skuId"], "storeId": i["storeId"], "flashPriceFen": i["flashPriceFen"], "quota": i["quota"]}
                  for i in session["items"]],
    })
    if parse(edited["startsAt"]) != opens:
        sys.exit(f"flash_session.py: the session starts at {edited['startsAt']}, not {iso(opens)}")
    print(opens)


def live(args):
    path = f"/api/v1/admin/marketing/flash-sales/{args.session}/live"
    doc = call(args, "GET", path)
    deadline = time.time() + args.settle
    while time.time() < deadline:
        time.sleep(1)
        again = call(args, "GET", path)
        settled = [(i.get("sold"), i.get("gateLeft")) for i in again.get("items") or []] == \
                  [(i.get("sold"), i.get("gateLeft")) for i in doc.get("items") or []]
        doc = again
        if settled:
            break
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    items = doc.get("items") or [{}]
    print(f"gate: {items[0].get('gateLeft')} left, {doc.get('refusals')} refusals; database: {items[0].get('sold')} of {items[0].get('quota')} sold")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["open", "live"])
    parser.add_argument("--base", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--session", required=True)
    parser.add_argument("--lead", type=int, default=2)
    parser.add_argument("--settle", type=int, default=60)
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.command == "live" and not args.out:
        sys.exit("flash_session.py live needs --out FILE")
    (open_session if args.command == "open" else live)(args)


if __name__ == "__main__":
    main()
