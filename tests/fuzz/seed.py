#!/usr/bin/env python3
"""Prepares a fuzzing run against a server started with --demo.

Signs in as the demo platform admin and the demo member, collects real ids (creating the few the
demo lacks: orders, a shipment, an after-sales case, a stocktake, a transfer) and writes into OUT_DIR:

  fixture.json       tokens and ids, read by extreme_integers.py
  schemathesis.toml  fuzz dictionaries so that path parameters (and id fields in query strings and
                     bodies) use a real id most of the time instead of a random UUID that only ever
                     reaches a 404; staffId and roleId pinned to another staff member and a role
                     made here, so that no phase can edit the admin's own record or role

Usage: seed.py BASE_URL OUT_DIR
Standard library only.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

# How often a bound parameter takes a real id; the rest stay generated (random or invalid ids).
PROBABILITY = 0.85

# Besides path parameters: id fields in query strings and JSON bodies, by dictionary.
EXTRA_BINDINGS = {
    "storeId": ["query.storeId", "body.storeId", "body.fromStoreId", "body.toStoreId"],
    "skuId": ["query.skuId", "body.skuId", "body.lines[*].skuId"],
    "merchantId": ["query.merchantId", "body.merchantId"],
    "categoryId": ["query.categoryId", "body.categoryId", "body.parentId"],
    "brandId": ["query.brandId", "body.brandId"],
    "addressId": ["body.addressId"],
    "paymentId": ["body.paymentId"],
    "orderLineId": ["body.lines[*].orderLineId"],
}


def toml_string(value):
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def write_config(path, ids, pinned):
    lines = ["# Written by tests/fuzz/seed.py for one run: real ids of the demo server under test.", ""]
    bindings = []
    for name in sorted(ids):
        values = ids[name]
        if not values or name in pinned:
            continue
        lines.append("[dictionaries.%s]" % name)
        lines.append("values = [%s]" % ", ".join(toml_string(v) for v in values))
        lines.append("")
        bindings.append(("path." + name, name))
        for key in EXTRA_BINDINGS.get(name, []):
            bindings.append((key, name))
    lines.append("[parameters]")
    for key, name in bindings:
        lines.append('"%s" = { dictionary = "%s", probability = %s }' % (key, name, PROBABILITY))
    # Pinned in every phase (schemathesis's coverage phase also reuses ids seen in responses, the
    # admin's own among them, and ignores dictionaries): never the admin's own record or role.
    for name, value in sorted(pinned.items()):
        lines.append('"path.%s" = %s' % (name, toml_string(value)))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    base, out = argv[1], argv[2]
    os.makedirs(out, exist_ok=True)
    fixture = fuzzlib.Fixture(fuzzlib.Client(base)).build()
    state = fixture.to_json()
    ids = dict(state["ids"])
    if state["orderLineIds"]:
        ids["orderLineId"] = state["orderLineIds"]
    with open(os.path.join(out, "fixture.json"), "w", encoding="utf-8") as handle:
        json.dump(state, handle, ensure_ascii=False, indent=1)
    pinned = {}
    if ids.get("staffId"):
        pinned["staffId"] = ids["staffId"][0]
    role = (state.get("primary") or {}).get("roleId") or (ids.get("roleId") or [None])[0]
    if role:
        pinned["roleId"] = role
    write_config(os.path.join(out, "schemathesis.toml"), ids, pinned)
    fuzzlib.log("fixture written to %s (admin staff %s and its roles %s kept out of the dictionaries)"
                % (out, state["adminStaffId"], ", ".join(state["adminRoleIds"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
