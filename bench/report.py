#!/usr/bin/env python3
"""Write docs/benchmarks.md from one bench/run (Python 3 standard library only).

    bench/report.py --run-dir bench/.data/sqlite-x1 [--out docs/benchmarks.md]

The run folder holds what bench/run leaves there: results.jsonl (one line per wrk scenario),
check.out and flash-check.out (the output of `chainmall bench-check` for the stampede and the
flash sale), pricing.json (the pricing micro-benchmark), rss.tsv (epoch, phase, VmRSS kB once a
second), meta.json (database, data set, command line, load average, ...).

The report holds one section per kind of run (database x catalogue scale, smoke runs apart).
Only the section of the run just measured is rewritten; the others are kept word for word,
and the targets are judged again from every section's numbers (kept, as JSON, in a comment at
the top of each section).
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

READS = ["product_list", "product_detail", "search", "nearby_stores", "order_desk"]
PAGE_READS = ["product_list", "product_detail", "search"]
MULTI_STEP = ["checkout", "stampede"]
# Purchases and refusals mixed: its share of the ceiling is judged on the refusals alone.
NO_RATIO = MULTI_STEP + ["flash_sale"]
ORDER = ["ceiling", "product_list", "product_detail", "search", "nearby_stores", "add_to_cart", "checkout", "order_desk", "stampede",
         "flash_sale"]
WHAT = {
    "ceiling": "`GET /healthz` (framework, no database)",
    "product_list": "`GET /api/v1/products?categoryId=…&per=20`",
    "product_detail": "`GET /api/v1/products/{id}?lat=…&lng=…`",
    "search": "`GET /api/v1/products?q=…&per=20`",
    "nearby_stores": "`GET /api/v1/stores/nearby?…&radiusKm=5`",
    "add_to_cart": "`POST /api/v1/cart/lines` (member)",
    "checkout": "add to cart → `POST /api/v1/checkout` → sandbox pay",
    "order_desk": "`GET /api/v1/admin/orders?storeId=…&per=20` (staff)",
    "stampede": "everyone buys the one limited SKU: add → checkout → pay",
    "flash_sale": "`POST /api/v1/flash-sales/{id}/purchases` (member, quota gate first)",
}
DB_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
READ_RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0
P99_CONNECTIONS = 64
CHECKOUT_TARGET = 1000.0
CATALOGUE_RPS_RATIO = 0.8
FLASH_REFUSAL_RATIO = 0.5
FLASH_P99_MS = 20.0
PRICING_TARGET_US = 1000.0
# Above this 1-minute load average per CPU the machine was busy with more than the benchmark.
BUSY_LOAD_PER_CPU = 0.5

SECTION_RE = re.compile(r"<!-- bench:section (\S+) -->\n(.*?)<!-- bench:end \1 -->\n?", re.S)
# Hand-written analysis (profiles, what was changed, before/after) that every run keeps as is.
NOTES_RE = re.compile(r"<!-- bench:notes -->\n.*?<!-- bench:end notes -->\n?", re.S)
DATA_RE = re.compile(r"<!-- bench:data (.*?) -->", re.S)


# --- reading a run -------------------------------------------------------------------------

def read_json_lines(path):
    results = {}
    if not os.path.exists(path):
        return results
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError as error:
                print(f"report.py: {path}:{n}: skipped, not JSON ({error})", file=sys.stderr)
                continue
            if isinstance(r, dict) and r.get("scenario"):
                results[r["scenario"]] = r  # the last line of a scenario wins
    return results


def parse_check(text):
    """The last JSON object in bench-check's output (log lines may come before it)."""
    if not text:
        return None
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
                if isinstance(value, dict):
                    return value
            except ValueError:
                pass
    start = text.rfind("\n{")
    for candidate in (text[start + 1:] if start >= 0 else None, text[text.find("{"):] if "{" in text else None):
        if candidate:
            try:
                value = json.loads(candidate)
                if isinstance(value, dict):
                    return value
            except ValueError:
                pass
    return None


def read_rss(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3 and parts[2].isdigit():
                    rows.append((parts[1], int(parts[2])))
    return rows


def machine():
    info = {"cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "Processor") and value.strip():
                    info["cpu"] = value.strip()
                    break
    except OSError:
        pass
    info.setdefault("cpu", platform.processor() or platform.machine())
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    info["os"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    info["kernel"] = platform.release()
    swift = run_quietly(["swift", "--version"])
    if swift:
        info["swift"] = swift.splitlines()[0].strip()
    return info


def run_quietly(command, cwd=None):
    try:
        out = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip() if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def build_commit(meta):
    """The commit bench/run recorded when it built the binary (`<commit>[ dirty]`), if any."""
    parts = (meta.get("build_commit") or "").split()
    return {"commit": parts[0], "dirty": len(parts) > 1} if parts else None


def git_info(root):
    commit = run_quietly(["git", "rev-parse", "--short", "HEAD"], cwd=root)
    # Prose does not change what was measured (and every run rewrites this report).
    dirty = run_quietly(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)*.md"], cwd=root)
    return {"commit": commit or "unknown", "dirty": bool(dirty)}


def integer(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def read_text(path):
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def load_run(run_dir, root):
    with open(os.path.join(run_dir, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    check_text = read_text(os.path.join(run_dir, "check.out"))
    rss = read_rss(os.path.join(run_dir, "rss.tsv"))
    phases = {}
    for phase, kb in rss:
        phases[phase] = max(phases.get(phase, 0), kb)
    peak = max(rss, key=lambda r: r[1]) if rss else None
    quick = meta.get("quick") in ("1", 1, True)
    db = meta.get("db", "sqlite")
    scale = integer(meta.get("scale"), 1)
    instances = integer(meta.get("instances"), 1)
    return {
        "key": f"{db}-x{scale}" + (f"-i{instances}" if instances > 1 else "") + ("-quick" if quick else ""),
        "db": db,
        "scale": scale,
        "quick": quick,
        "date": meta.get("finished_at") or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "meta": meta,
        "git": build_commit(meta) or git_info(root),
        "machine": machine(),
        "results": read_json_lines(os.path.join(run_dir, "results.jsonl")),
        "check": parse_check(check_text),
        "check_rc": integer(meta.get("check_rc")),
        "flash_check": parse_check(read_text(os.path.join(run_dir, "flash-check.out"))),
        "flash_check_rc": integer(meta.get("flash_check_rc")),
        "pricing": parse_check(read_text(os.path.join(run_dir, "pricing.json"))),
        "memory": {
            "startup_kb": integer(meta.get("startup_rss_kb")),
            "peak_kb": peak[1] if peak else None,
            "peak_phase": peak[0] if peak else None,
            "vmhwm_kb": integer(meta.get("vmhwm_kb")),
            "by_phase_kb": {p: kb for p, kb in phases.items() if p in ORDER},
            "samples": len(rss),
        },
    }


# --- formatting ----------------------------------------------------------------------------

def fmt_int(n):
    return "—" if n is None else f"{int(round(n)):,}"


def fmt_rate(x):
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ms(x):
    if x is None:
        return "—"
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def fmt_mib(kb):
    return "—" if kb is None else f"{kb / 1024:,.0f} MiB"


def fmt_pct(x):
    return "—" if x is None else f"{x * 100:.0f}%"


def fmt_errors(r):
    errors = r.get("errors") or 0
    requests = r.get("requests") or 0
    if not errors:
        return "0"
    share = errors / requests * 100 if requests else 100.0
    return f"**{errors:,}** ({share:.1f}%)"


def title(data):
    name = DB_NAMES.get(data["db"], data["db"])
    products = integer(data["meta"].get("products"))
    text = f"{name}, {fmt_int(products)} products (scale {data['scale']})"
    instances = integer(data["meta"].get("instances"), 1)
    if instances > 1:
        redis = ", one Redis" if data["meta"].get("redis") == "yes" else ""
        text += f", {instances} instances behind nginx{redis}"
    if data["quick"]:
        text += ", smoke run"
    return text


def ceiling_ratio(data, scenario):
    ceiling = data["results"].get("ceiling", {}).get("rps")
    r = data["results"].get(scenario)
    if not ceiling or not r:
        return None
    return r["rps"] / ceiling


def check_passed(data):
    check = data.get("check")
    return bool(check) and check.get("ok") is True and (data.get("check_rc") in (0, None))


def flash_check_passed(data):
    check = data.get("flash_check")
    return bool(check) and check.get("ok") is True and (data.get("flash_check_rc") in (0, None))


def flash_refusal_ratio(data):
    ceiling = data["results"].get("ceiling", {}).get("rps")
    rate = (data["results"].get("flash_sale") or {}).get("sold_out_refusals_per_s")
    return rate / ceiling if ceiling and rate else None


def load_line(meta, cpus):
    start, end = meta.get("load_at_start"), meta.get("load_at_end")
    if not start:
        return None
    first = float(start.split()[0]) if start.split() else 0.0
    busy = isinstance(cpus, int) and first > BUSY_LOAD_PER_CPU * cpus
    return (f"- Load average (1, 5, 15 min) when the run started: {start}; when it ended: {end or '?'}"
            + (" — measured while the machine was also busy with other work, so every "
               "number here is lower than this machine gives the mall alone." if busy else "."))


def oversold(data):
    """True/False when it can be told, None when there is nothing to tell it from."""
    check = data.get("check")
    stampede = data["results"].get("stampede")
    signs = []
    if check:
        start, sold, remaining = check.get("startingStock"), check.get("sold"), check.get("remaining")
        if isinstance(sold, (int, float)) and isinstance(start, (int, float)):
            signs.append(sold > start)
        if isinstance(remaining, (int, float)):
            signs.append(remaining < 0)
        if isinstance(check.get("negativeStockRows"), (int, float)):
            signs.append(check["negativeStockRows"] > 0)
    if stampede and isinstance(stampede.get("units"), (int, float)):
        signs.append(stampede.get("checkouts", 0) > stampede["units"])
    return any(signs) if signs else None


def check_verdict(command, check, passed, rc):
    """What a bench-check found, every field of its JSON, or that it printed none."""
    if check is None:
        return f"`{command}` printed no JSON (exit status {rc}).\n"
    verdict = "**passed**" if passed else f"**FAILED** (exit status {rc})"
    fields = ", ".join(f"{k} {json.dumps(v, ensure_ascii=False)}" for k, v in check.items() if k != "ok")
    return f"`{command}`: {verdict}: {fields}."


def render_section(data):
    m, meta, results = data["machine"], data["meta"], data["results"]
    out = []
    out.append(f"## {title(data)}\n")
    commit = f"`{data['git']['commit']}`" + (" (with uncommitted changes)" if data["git"]["dirty"] else "")
    out.append(f"Measured {data['date'].replace('T', ' ').replace('Z', ' UTC')} at commit {commit} with "
               f"`{meta.get('command', 'bench/run')}`.\n")
    machine_line = f"{m.get('cpu', '?')}, {m.get('cpus', '?')} CPUs, {m.get('memory_gib', '?')} GiB"
    if m.get("os"):
        machine_line += f", {m['os']} (Linux {m.get('kernel', '?')})"
    out.append(f"- Machine: {machine_line}; wrk and the server share it.")
    load = load_line(meta, m.get("cpus"))
    if load:
        out.append(load)
    tools = [meta.get("db_version") or DB_NAMES.get(data["db"], data["db"]), meta.get("wrk_version")]
    if m.get("swift"):
        tools.append(m["swift"])
    out.append("- Software: " + "; ".join(t for t in tools if t) + f"; build: {meta.get('build', '?')}; "
               f"DATABASE_POOL_SIZE {meta.get('database_pool_size', '?')}.")
    out.append(f"- Data set: {fmt_int(integer(meta.get('products')))} products, {fmt_int(integer(meta.get('stores')))} stores, "
               f"{fmt_int(integer(meta.get('members')))} members, {fmt_int(integer(meta.get('orders')))} orders "
               f"(catalogue scale {data['scale']}); seeded in {meta.get('seed_seconds', '?')} s.")
    stampede_s = (results.get("stampede") or {}).get("duration_s")
    stampede_note = f" (the stampede {stampede_s:.0f} s, so that its stock sells out)" if isinstance(stampede_s, (int, float)) else ""
    out.append(f"- Load: each scenario {meta.get('duration_s', '?')} s{stampede_note} at {meta.get('connections', '?')} connections "
               f"(wrk `-t2`; checkout and stampede `-t{meta.get('connections', '?')}`, one connection per thread), "
               f"read scenarios after a {meta.get('warmup_s', '0')} s warm-up; a request slower than "
               f"{meta.get('timeout_s', '?')} s counts as an error.\n")

    out.append("| scenario | request | req/s | p50 ms | p99 ms | errors | vs ceiling |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in ORDER:
        r = results.get(name)
        if not r:
            out.append(f"| {name} | {WHAT[name]} | no result | | | | |")
            continue
        ratio = "—" if name in NO_RATIO else fmt_pct(ceiling_ratio(data, name))
        out.append(f"| {name} | {WHAT[name]} | {fmt_rate(r.get('rps'))} | {fmt_ms(r.get('p50_ms'))} | "
                   f"{fmt_ms(r.get('p99_ms'))} | {fmt_errors(r)} | {ratio} |")
    out.append("")
    out.append("req/s of checkout and stampede counts every HTTP request of the flow (add, checkout, pay, "
               "and a loser's removal of the sold-out line); their orders per second are below.\n")

    multi = [results[n] for n in MULTI_STEP if n in results]
    if multi:
        out.append("| scenario | checkouts (201) | checkouts/s | paid | rejected (409 / 422) | checkout p50 / p99 ms | errors |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in multi:
            out.append(f"| {r['scenario']} | {fmt_int(r.get('checkouts'))} | {fmt_rate(r.get('checkouts_per_s'))} | "
                       f"{fmt_int(r.get('paid'))} | {fmt_int(r.get('rejected_409'))} / {fmt_int(r.get('rejected_422'))} | "
                       f"{fmt_ms(r.get('checkout_p50_ms'))} / {fmt_ms(r.get('checkout_p99_ms'))} | {fmt_errors(r)} |")
        out.append("")
        out.append("In checkout every step must succeed, so a 409 or 422 there is an error. In the stampede, "
                   "409 (sold out) and 422 (empty cart) are the expected losers.\n")

    details = []
    for name in ORDER:
        r = results.get(name)
        if not r or not r.get("errors"):
            continue
        parts = [f"{k} {v}" for k, v in sorted((r.get("socket_errors") or {}).items()) if v]
        step = r.get("step_errors") or {}
        parts += [f"{k}: {v}" for k, v in sorted(step.items())]
        if not step and r.get("http_errors"):
            parts.append(f"HTTP status ≥ 400: {r['http_errors']}")
        details.append(f"{name} ({', '.join(parts) or 'see wrk output'})")
    if details:
        out.append("Errors: " + "; ".join(details) + ".\n")

    out.append("### Stampede check\n")
    check, stampede = data.get("check"), results.get("stampede")
    out.append(check_verdict("chainmall bench-check", check, check_passed(data), data.get("check_rc")))
    if check is not None:
        if stampede:
            line = (f"The clients saw {fmt_int(stampede.get('checkouts'))} winning checkouts and "
                    f"{fmt_int(stampede.get('rejected'))} refusals")
            if stampede.get("units") is not None:
                line += f" for {fmt_int(stampede['units'])} units"
            over = oversold(data)
            line += "; **oversold**." if over else "; nothing oversold." if over is False else "."
            remaining = check.get("remaining")
            if isinstance(remaining, (int, float)) and remaining > 0:
                line += (f" The stock did not sell out ({fmt_int(remaining)} left): the race was shorter than it "
                         "should be; run longer or with more connections.")
            out.append(line)
        out.append("")

    out += render_flash(data)
    out += render_pricing(data)

    mem = data["memory"]
    out.append("### Memory\n")
    phase = mem.get("peak_phase") or ""
    phase = phase if phase.startswith("after ") else f"during {phase.replace('warmup:', 'the warm-up of ')}" if phase else ""
    out.append(f"Server resident set (VmRSS from /proc, sampled every second, {mem.get('samples', 0)} samples): "
               f"{fmt_mib(mem.get('startup_kb'))} after start-up, peak {fmt_mib(mem.get('peak_kb'))}"
               + (f" ({phase})" if phase else "")
               + f"; VmHWM at the end {fmt_mib(mem.get('vmhwm_kb'))}.\n")
    by_phase = mem.get("by_phase_kb") or {}
    if by_phase:
        names = [n for n in ORDER if n in by_phase]
        out.append("| " + " | ".join(names) + " |")
        out.append("| " + " | ".join("---:" for _ in names) + " |")
        out.append("| " + " | ".join(fmt_mib(by_phase[n]) for n in names) + " |")
        out.append("")
    return "\n".join(out)


def render_flash(data):
    r, check = data["results"].get("flash_sale"), data.get("flash_check")
    if not r and not check:
        return []
    out = ["### Flash sale\n"]
    if r:
        out.append(f"{fmt_int(r.get('units'))} units, {r.get('per_member_limit', '?')} per member, one unit per attempt, "
                   f"a fresh `Idempotency-Key` each; {r.get('connections', '?')} connections from the moment the session opened, "
                   f"{r.get('duration_s', 0):.0f} s. Purchases per second are counted over the selling window "
                   f"(until the last purchase, {r.get('selling_s', 0):.1f} s), sold-out refusals per second over the window "
                   f"after the first sold-out refusal ({r.get('sold_out_s', 0):.1f} s), when the quota gate alone answers.\n")
        out.append("| purchases (201) | purchases/s | refused: sold out / over limit / not open | sold-out refusals/s | vs ceiling "
                   "| p50 / p99 ms, all | p99 ms, purchases | p50 / p99 ms, refusals | errors |")
        out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        out.append(f"| {fmt_int(r.get('purchases'))} | {fmt_rate(r.get('purchases_per_s'))} | "
                   f"{fmt_int(r.get('refused_sold_out'))} / {fmt_int(r.get('refused_over_limit'))} / {fmt_int(r.get('refused_not_open'))} | "
                   f"{fmt_rate(r.get('sold_out_refusals_per_s'))} | {fmt_pct(flash_refusal_ratio(data))} | "
                   f"{fmt_ms(r.get('p50_ms'))} / {fmt_ms(r.get('p99_ms'))} | {fmt_ms(r.get('purchase_p99_ms'))} | "
                   f"{fmt_ms(r.get('refusal_p50_ms'))} / {fmt_ms(r.get('refusal_p99_ms'))} | {fmt_errors(r)} |")
        out.append("")
    out.append(check_verdict("chainmall bench-check --flash-session", check, flash_check_passed(data), data.get("flash_check_rc")))
    if check is not None:
        if r:
            out.append(f"The clients saw {fmt_int(r.get('purchases'))} purchases for {fmt_int(r.get('units'))} units and "
                       f"{fmt_int(r.get('refused_sold_out'))} sold-out answers; the gate counted {fmt_int(check.get('gateRefusals'))} "
                       "refusals itself (a few sold-out answers can come from the database's conditional update just before the "
                       "gate learns the quota is gone, and the gate also counts requests wrk sent but stopped waiting for).")
        out.append("")
    return out


def render_pricing(data):
    p = data.get("pricing")
    if not p:
        return []
    price, best = p.get("price") or {}, p.get("bestCoupons") or {}
    out = ["### Pricing engine (micro-benchmark)\n",
           f"`pricing-bench` (release build, one process, before the server starts): a cart of {p.get('lines')} lines over two "
           f"merchants (one delivery, one pickup), {p.get('promotions')} running promotions and {p.get('coupons')} coupons, every "
           f"one of them applying; {fmt_int(price.get('iterations'))} pricings after a warm-up.\n",
           "| what | mean µs | p50 µs | p99 µs | max µs |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, t in (("`PricingEngine.price` (one pricing)", price), ("`CouponSelection.best` (best combination of the 3 coupons)", best)):
        out.append(f"| {name} | {t.get('meanMicroseconds', 0):.1f} | {t.get('p50Microseconds', 0):.1f} | "
                   f"{t.get('p99Microseconds', 0):.1f} | {t.get('maxMicroseconds', 0):.1f} |")
    out.append("")
    return out


def wrap_section(data):
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("--", "-\\u002d")
    return (f"<!-- bench:section {data['key']} -->\n<!-- bench:data {payload} -->\n"
            f"{render_section(data)}\n<!-- bench:end {data['key']} -->\n")


# --- targets -------------------------------------------------------------------------------

def overall(statuses):
    statuses = [s for s in statuses if s != "info"]
    if not statuses or all(s == "not measured" for s in statuses):
        return "not measured"
    if "missed" in statuses:
        return "missed"
    return "met"


def judge_targets(sections):
    counted = [d for d in sections if not d["quick"]]
    targets = []

    rows = []
    for d in counted:
        ratios = {n: ceiling_ratio(d, n) for n in ("product_detail", "product_list")}
        if None in ratios.values():
            rows.append((title(d), "no result", "not measured"))
            continue
        clean = all(not d["results"][n].get("errors") for n in ratios)
        ok = all(v >= READ_RATIO_TARGET for v in ratios.values()) and clean
        rows.append((title(d), f"detail {fmt_pct(ratios['product_detail'])}, list {fmt_pct(ratios['product_list'])} "
                     f"of the ceiling" + ("" if clean else ", with errors"), "met" if ok else "missed"))
    targets.append(("Product detail and product list reach at least 50% of the ceiling (req/s, same run, no errors)", rows))

    rows = []
    for d in counted:
        connections = integer(d["meta"].get("connections"))
        reads = [d["results"].get(n) for n in READS]
        if any(r is None for r in reads):
            rows.append((title(d), "a read scenario has no result", "not measured"))
        elif connections != P99_CONNECTIONS:
            rows.append((title(d), f"ran at {connections} connections", "not measured"))
        else:
            worst = max(reads, key=lambda r: r.get("p99_ms") or 0)
            clean = all(not r.get("errors") for r in reads)
            ok = all((r.get("p99_ms") or 0) < P99_TARGET_MS for r in reads) and clean
            rows.append((title(d), f"worst p99 {fmt_ms(worst.get('p99_ms'))} ms ({worst['scenario']})"
                         + ("" if clean else ", with errors"), "met" if ok else "missed"))
    targets.append((f"p99 under {P99_TARGET_MS:.0f} ms at {P99_CONNECTIONS} connections for every read scenario "
                    f"({', '.join(READS)}), no errors", rows))

    rows = []
    for d in counted:
        r = d["results"].get("checkout")
        over = oversold(d)
        check_ok = check_passed(d)
        if r is None:
            rows.append((title(d), "no checkout result", "not measured" if d["db"] == "postgresql" else "info"))
            continue
        text = (f"{fmt_rate(r.get('checkouts_per_s'))} orders/s ({fmt_int(r.get('errors'))} errors); stampede check "
                + ("passed" if check_ok else "failed" if d.get("check") else "missing")
                + (", oversold" if over else ""))
        if d["db"] != "postgresql":
            rows.append((title(d), text + " (for information: the target is on PostgreSQL)", "info"))
            continue
        ok = (r.get("checkouts_per_s") or 0) >= CHECKOUT_TARGET and check_ok and over is False
        rows.append((title(d), text, "met" if ok else "missed"))
    if not any(d["db"] == "postgresql" for d in counted):
        rows.append(("PostgreSQL", "no PostgreSQL run yet: `DATABASE_URL=postgres://… bench/run`", "not measured"))
    targets.append((f"Checkout reaches {CHECKOUT_TARGET:,.0f} orders/s on PostgreSQL with zero oversell "
                    "(completed checkouts; stampede check passes, no more winners than units)", rows))

    rows = []
    for db in sorted({d["db"] for d in counted}):
        base = next((d for d in counted if d["db"] == db and d["scale"] == 1), None)
        bigger = sorted((d for d in counted if d["db"] == db and d["scale"] > 1), key=lambda d: d["scale"])
        name = DB_NAMES.get(db, db)
        if not base or not bigger:
            rows.append((name, "needs a scale 1 run and a larger one (`bench/run --scale 10`)", "not measured"))
            continue
        big = bigger[-1]
        if base["meta"].get("connections") != big["meta"].get("connections"):
            rows.append((name, "the two runs used different connection counts", "not measured"))
            continue
        parts, ok = [], True
        for n in PAGE_READS:
            a, b = base["results"].get(n), big["results"].get(n)
            if not a or not b or not a.get("rps"):
                parts.append(f"{n}: no result")
                ok = None if ok is not False else ok
                continue
            ratio = b["rps"] / a["rps"]
            parts.append(f"{n} {fmt_pct(ratio)} of the req/s (p99 {fmt_ms(a.get('p99_ms'))} → {fmt_ms(b.get('p99_ms'))} ms)")
            if ratio < CATALOGUE_RPS_RATIO or b.get("errors"):
                ok = False
        status = "not measured" if ok is None else "met" if ok else "missed"
        rows.append((f"{name}, scale {big['scale']} vs 1", "; ".join(parts), status))
    if not rows:
        rows.append(("—", "no full run yet", "not measured"))
    targets.append((f"Page reads do not grow with the catalogue: at the larger catalogue, product list, detail and "
                    f"search keep at least {CATALOGUE_RPS_RATIO:.0%} of their scale-1 req/s", rows))

    rows = []
    for d in counted:
        r = d["results"].get("flash_sale")
        if r is None:
            rows.append((title(d), "no flash_sale result (run before the scenario existed)", "not measured"))
            continue
        ratio = flash_refusal_ratio(d)
        check_ok = flash_check_passed(d)
        ok = (ratio or 0) >= FLASH_REFUSAL_RATIO and (r.get("p99_ms") or 1e9) < FLASH_P99_MS and check_ok and not r.get("errors")
        rows.append((title(d), f"sold-out refusals {fmt_pct(ratio)} of the ceiling, p99 {fmt_ms(r.get('p99_ms'))} ms "
                     f"(refusals {fmt_ms(r.get('refusal_p99_ms'))} ms), {fmt_int(r.get('errors'))} errors; flash check "
                     + ("passed" if check_ok else "failed" if d.get("flash_check") else "missing"), "met" if ok else "missed"))
    targets.append((f"Flash sale: sold-out refusals at ≥ {FLASH_REFUSAL_RATIO:.0%} of the ceiling and p99 under "
                    f"{FLASH_P99_MS:.0f} ms over all its requests, no errors; exactly the quota sold, no member over the limit, "
                    "ledger equal to the projection, gate equal to the database", rows))

    rows = []
    for d in counted:
        p = d.get("pricing")
        if not p:
            rows.append((title(d), "no pricing-bench result", "not measured"))
            continue
        p99 = (p.get("price") or {}).get("p99Microseconds")
        rows.append((title(d), f"p99 {p99:.1f} µs, mean {(p.get('price') or {}).get('meanMicroseconds', 0):.1f} µs",
                     "met" if p99 is not None and p99 < PRICING_TARGET_US else "missed"))
    targets.append(("Pricing a 20-line cart with 5 running promotions and 3 coupons takes under 1 ms in the core "
                    "(p99, `pricing-bench`)", rows))
    return targets


def render_targets(sections):
    out = ["## Targets\n"]
    out.append("Judged from the full runs above (smoke runs do not count); rewritten on every run.\n")
    out.append("| target | status | run | measured |")
    out.append("| --- | --- | --- | --- |")
    for target, rows in judge_targets(sections):
        rows = rows or [("—", "no full run yet", "not measured")]
        status = overall([s for _, _, s in rows])
        mark = {"met": "**met**", "missed": "**missed**"}.get(status, status)
        first = True
        for run, measured, row_status in rows:
            cell = f"{measured} ({row_status})" if row_status not in ("info",) else measured
            out.append(f"| {target if first else ''} | {mark if first else ''} | {run} | {cell} |")
            first = False
    out.append("")
    return "\n".join(out)


def render_memory_overview(sections):
    rows = [d for d in sections if d.get("memory")]
    if len(rows) < 2:
        return ""
    out = ["## Memory by run\n", "| run | products | after start-up | peak (sampled) | VmHWM |", "| --- | ---: | ---: | ---: | ---: |"]
    for d in rows:
        mem = d["memory"]
        out.append(f"| {title(d)} | {fmt_int(integer(d['meta'].get('products')))} | {fmt_mib(mem.get('startup_kb'))} | "
                   f"{fmt_mib(mem.get('peak_kb'))} | {fmt_mib(mem.get('vmhwm_kb'))} |")
    out.append("")
    return "\n".join(out)


# --- the document --------------------------------------------------------------------------

HEADER = """# ChainMall benchmarks

<!-- Written by bench/report.py from bench/run: each run rewrites its own section (between its
bench:section markers) and everything outside the sections; other sections are kept. -->

What the mall server sustains on one machine, measured by `bench/run`: it seeds a large data set
(10,000 products, 50 stores, 100,000 members, 200,000 orders at scale 1), serves it from the release
build on 127.0.0.1:8089 and drives it with [wrk](https://github.com/wg/wrk): the framework ceiling
(`/healthz`), catalogue and store reads, cart, checkout, the store order desk, a stampede of
shoppers on one limited SKU and a flash sale's quick purchases, after which `chainmall bench-check`
proves that nothing was oversold. `pricing-bench` times the pricing engine alone.
wrk runs on the same machine and takes part of its CPU, so absolute figures are conservative;
the ratio to the ceiling measured in the same run is the most portable number.

## How to reproduce

```bash
bench/run                                                   # SQLite (the default)
DATABASE_URL=postgres://user:pass@127.0.0.1:5432/mall bench/run   # PostgreSQL: wipes schema public first
bench/run --scale 10                                        # 10x catalogue: memory, page reads vs catalogue size
bench/run --quick                                           # smoke run (small data, 5 s per scenario)
bench/run --pricing-only                                    # the pricing micro-benchmark alone
```

Options: `--duration 15` seconds per scenario, `--connections 64`, `--scale 1`. See `bench/README.md`.
"""


def section_sort_key(data):
    instances = integer((data.get("meta") or {}).get("instances"), 1)
    return ({"sqlite": 0, "postgresql": 1}.get(data.get("db"), 2), data.get("quick", False), data.get("scale", 1), instances)


def read_existing(path):
    """Sections of the current report: {key: (text, data)}, and any unmanaged text."""
    if not os.path.exists(path):
        return {}, "", ""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    sections = {}
    for match in SECTION_RE.finditer(text):
        key, body = match.group(1), match.group(0)
        data = None
        found = DATA_RE.search(match.group(2))
        if found:
            try:
                data = json.loads(found.group(1))
            except ValueError:
                print(f"report.py: the data of section {key} in {path} is unreadable; its numbers are left out of the targets", file=sys.stderr)
        sections[key] = (body if body.endswith("\n") else body + "\n", data)
    notes = NOTES_RE.search(text)
    unmanaged = "" if sections or "bench:section" in text else text.strip()
    return sections, unmanaged, (notes.group(0) if notes else "")


def write_report(run, out_path):
    existing, unmanaged, notes = read_existing(out_path)
    existing[run["key"]] = (wrap_section(run), run)
    entries = sorted(existing.values(), key=lambda e: section_sort_key(e[1] or {}))
    datas = [d for _, d in entries if d]
    parts = [HEADER, "## Results\n", "Newest run of each kind; the targets are judged at the end.\n"]
    parts += [text for text, _ in entries]
    memory = render_memory_overview(datas)
    if memory:
        parts.append(memory)
    parts.append(render_targets(datas))
    if notes:
        parts.append(notes)
    if unmanaged:
        parts.append("## Earlier notes\n\nKept from the file as it was before `bench/run` first wrote it:\n\n" + unmanaged + "\n")
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(p.rstrip("\n") + "\n" for p in parts))
    os.replace(tmp, out_path)
    return datas


def print_summary(run, datas):
    print(f"  {title(run)}")
    print(f"  {'scenario':<15}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs ceiling':>12}")
    for name in ORDER:
        r = run["results"].get(name)
        if not r:
            print(f"  {name:<15}{'no result':>10}")
            continue
        ratio = "" if name in NO_RATIO else fmt_pct(ceiling_ratio(run, name))
        print(f"  {name:<15}{r['rps']:>10.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r.get('errors', 0):>8}{ratio:>12}")
    for name in MULTI_STEP:
        r = run["results"].get(name)
        if r:
            print(f"  {name}: {r.get('checkouts', 0)} checkouts ({r.get('checkouts_per_s', 0):.0f}/s), "
                  f"{r.get('paid', 0)} paid, {r.get('rejected', 0)} rejected")
    r = run["results"].get("flash_sale")
    if r:
        print(f"  flash_sale: {r.get('purchases', 0)} purchases ({r.get('purchases_per_s', 0):.0f}/s), "
              f"{r.get('refused_sold_out', 0)} sold-out refusals ({r.get('sold_out_refusals_per_s') or 0:.0f}/s, "
              f"{fmt_pct(flash_refusal_ratio(run))} of the ceiling), {r.get('refused_over_limit', 0)} over the limit")
    print(f"  stampede check: {'passed' if check_passed(run) else 'FAILED or missing'}")
    print(f"  flash-sale check: {'passed' if flash_check_passed(run) else 'FAILED or missing'}")
    if run.get("pricing"):
        t = run["pricing"].get("price") or {}
        print(f"  pricing: mean {t.get('meanMicroseconds', 0):.1f} µs, p99 {t.get('p99Microseconds', 0):.1f} µs per pricing")
    mem = run["memory"]
    print(f"  memory: peak RSS {fmt_mib(mem.get('peak_kb'))}, VmHWM {fmt_mib(mem.get('vmhwm_kb'))}")
    for target, rows in judge_targets(datas):
        print(f"  target {overall([s for _, _, s in rows]):>12}: {target.split(' (')[0]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", required=True, help="the folder bench/run measured into")
    parser.add_argument("--out", default=None, help="the report to update (default docs/benchmarks.md)")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = args.out or os.path.join(root, "docs", "benchmarks.md")
    if not os.path.exists(os.path.join(args.run_dir, "meta.json")):
        sys.exit(f"report.py: {args.run_dir}/meta.json is missing: is this a bench/run folder?")
    run = load_run(args.run_dir, root)
    datas = write_report(run, out)
    print_summary(run, datas)
    print(f"  wrote {out} (section {run['key']})")


if __name__ == "__main__":
    main()
