#!/usr/bin/env python3
"""Turn bench-seed's fixtures.json into the plain text files the wrk scripts read line by line.

    bench/flatten_fixtures.py FIXTURES_JSON OUT_DIR

Writes to OUT_DIR: categories.txt, products.txt, skus.txt, keywords.txt (URL-encoded),
center.txt ("lat lng"), stampede.txt ("skuId units"), flash.txt ("sessionId skuId units
perMemberLimit"), staff_token.txt, desk_store.txt, member_tokens.txt, and the member tokens split
into four disjoint files: tokens_cart.txt (add_to_cart), tokens_checkout.txt (checkout),
tokens_stampede.txt (stampede) and tokens_flash.txt (flash_sale), so carts filled by one
scenario never reach another scenario's checkout and the flash sale's buyers start with no
units bought. Prints a one-line summary.
"""
import json
import os
import sys
from urllib.parse import quote


def fail(message):
    sys.exit(f"bench: fixtures: {message}")


def need(doc, key, kind):
    value = doc.get(key)
    if not isinstance(value, kind) or (hasattr(value, "__len__") and len(value) == 0):
        fail(f'"{key}" is missing or empty')
    return value


def write_lines(out_dir, name, lines):
    with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
        for line in lines:
            line = str(line).strip()
            if "\n" in line or "\r" in line:
                fail(f"{name}: an entry spans lines")
            f.write(line + "\n")


def find_tokens_file(path, fixtures_path):
    here = os.path.dirname(os.path.abspath(fixtures_path))
    for candidate in (path, os.path.join(here, path), os.path.join(here, os.path.basename(path))):
        if os.path.isfile(candidate):
            return candidate
    fail(f"memberTokensFile {path!r} not found (also looked next to {fixtures_path})")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    fixtures_path, out_dir = sys.argv[1], sys.argv[2]
    try:
        with open(fixtures_path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as error:
        fail(f"cannot read {fixtures_path}: {error}")
    os.makedirs(out_dir, exist_ok=True)

    categories = need(doc, "categoryIds", list)
    products = need(doc, "productIds", list)
    skus = need(doc, "skuIds", list)
    keywords = need(doc, "keywords", list)
    center = need(doc, "center", dict)
    stampede = need(doc, "stampede", dict)
    flash = need(doc, "flashSale", dict)
    staff = need(doc, "staffToken", str)
    desk = need(doc, "deskStoreId", str)
    try:
        lat, lng = float(center["lat"]), float(center["lng"])
        sku, units = str(stampede["skuId"]), int(stampede["units"])
        flash_line = f'{flash["sessionId"]} {flash["skuId"]} {int(flash["units"])} {int(flash["perMemberLimit"])}'
    except (KeyError, TypeError, ValueError):
        fail('"center" needs lat and lng; "stampede" needs skuId and units; '
             '"flashSale" needs sessionId, skuId, units and perMemberLimit')

    with open(find_tokens_file(need(doc, "memberTokensFile", str), fixtures_path), encoding="utf-8") as f:
        tokens = [line.strip() for line in f if line.strip()]
    if len(tokens) < 4:
        fail(f"member_tokens.txt has {len(tokens)} tokens; at least 4 are needed (thousands for a real run)")

    write_lines(out_dir, "categories.txt", categories)
    write_lines(out_dir, "products.txt", products)
    write_lines(out_dir, "skus.txt", skus)
    write_lines(out_dir, "keywords.txt", [quote(str(k), safe="") for k in keywords])
    write_lines(out_dir, "center.txt", [f"{lat!r} {lng!r}"])
    write_lines(out_dir, "stampede.txt", [f"{sku} {units}"])
    write_lines(out_dir, "flash.txt", [flash_line])
    write_lines(out_dir, "staff_token.txt", [staff])
    write_lines(out_dir, "desk_store.txt", [desk])
    write_lines(out_dir, "member_tokens.txt", tokens)
    quarter = len(tokens) // 4
    write_lines(out_dir, "tokens_cart.txt", tokens[:quarter])
    write_lines(out_dir, "tokens_checkout.txt", tokens[quarter:2 * quarter])
    write_lines(out_dir, "tokens_stampede.txt", tokens[2 * quarter:3 * quarter])
    write_lines(out_dir, "tokens_flash.txt", tokens[3 * quarter:])

    print(f"fixtures: {len(categories)} categories, {len(products)} products, {len(skus)} SKUs, "
          f"{len(keywords)} keywords, {len(tokens)} member tokens ({quarter}/{quarter}/{quarter}/{len(tokens) - 3 * quarter} "
          f"for add_to_cart/checkout/stampede/flash_sale), stampede {units} units of {sku}, flash sale {flash_line}")


if __name__ == "__main__":
    main()
