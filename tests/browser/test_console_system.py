"""The console's system pages, each used through the page and checked through the API: the
staff inbox with the header's unread badge, the background jobs list with a dead job retried,
and backups made, listed and downloaded.
"""
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import _server_key
from test_console_catalog import console_sign_in, heading_has
from ui import C, button, click, console_text, link, storefront_text, table_row_cells, text_appears, visible, wait


@pytest.fixture
def size():
    return "desktop"


def unread(api, token):
    return api.ok("GET", "/admin/notifications/unread-count", token=token)["unreadCount"]


def badge_text(driver):
    return driver.execute_script("const b = document.getElementById('console-inbox-count'); return b && !b.hidden ? b.textContent : '';")


def shown(count):
    """What the badge says for a count: nothing at zero, 99+ above 99."""
    return "" if count == 0 else str(count) if count < 100 else "99+"


def test_inbox_badge_counts_and_marking_read(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    if unread(api, token) == 0:
        # A count below the threshold raises a low-stock alert for headquarters.
        level = api.ok("GET", "/admin/inventory/levels?per=1&sort=-onHand", token=token)["items"][0]
        api.ok("POST", "/admin/inventory/adjustments", {"storeId": level["storeId"], "skuId": level["skuId"],
                                                        "delta": -level["available"], "reason": "browser test"}, token=token)
        deadline = time.monotonic() + 30
        while unread(api, token) == 0:
            assert time.monotonic() < deadline, "no low-stock alert arrived"
            time.sleep(0.5)

    console_sign_in(browser, "admin")
    # The demo's stock scans may add alerts meanwhile: the badge follows the server's count.
    wait(d).until(lambda drv: badge_text(drv) != "" and badge_text(drv) == shown(unread(api, token)))
    browser.shot("badge")
    click(d, d.find_element(By.ID, "console-inbox"))
    heading_has(d, C("inbox.title"))
    first = visible(d, "#console-main tbody tr")
    newest = api.ok("GET", "/admin/notifications?per=1", token=token)["items"][0]
    assert not newest.get("readAt")
    browser.shot("inbox")
    click(d, button(d, C("inbox.markRead"), within=first))
    wait(d).until(lambda drv: api.ok("GET", "/admin/notifications?per=1", token=token)["items"][0].get("readAt"))
    wait(d).until(lambda drv: badge_text(drv) == shown(unread(api, token)))

    # An alert leads to the inventory's alert list for its store.
    # Marking read re-renders the table, so the link is read inside a wait that outlasts the redraw.
    wait(d).until(lambda drv: "/console/inventory/alerts"
                  in (drv.find_element(By.CSS_SELECTOR, "#console-main tbody tr a").get_attribute("href") or ""))

    click(d, button(d, C("inbox.readAll")))
    wait(d).until(lambda drv: badge_text(drv) == "")
    assert unread(api, token) == 0
    browser.shot("all-read")
    browser.assert_healthy()


def data_dir(request) -> Path:
    """The session server's DATA_DIR, read from its environment."""
    pid = request.config.stash[_server_key]["pid"]
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return Path(next(e for e in environ if e.startswith(b"DATA_DIR=")).split(b"=", 1)[1].decode())


def plant_dead_job(request) -> str:
    """A copy of a finished low-stock scan, marked dead as if its last attempt had failed (no
    endpoint makes a job fail on purpose). The scan is idempotent, so a retry harms nothing."""
    job_id = str(uuid.uuid4()).upper()
    with sqlite3.connect(data_dir(request) / "chainmall.sqlite", timeout=30) as db:
        db.execute("""
          INSERT INTO jobs (id, created_at, updated_at, kind, payload, status, run_at, attempts, max_attempts,
                            last_error, locked_by, locked_until, unique_key, finished_at)
          SELECT ?, created_at, updated_at, kind, payload, 'dead', run_at, max_attempts, max_attempts,
                 'browser test: the store feed timed out', NULL, NULL, NULL, finished_at
          FROM jobs WHERE kind = 'inventory.scanLowStock' LIMIT 1""", (job_id,))
    return job_id


def test_dead_job_shown_with_its_error_and_retried(browser, api, request):
    d = browser.driver
    token = api.staff_token("admin")
    job_id = plant_dead_job(request)

    console_sign_in(browser, "admin")
    click(d, link(d, C("jobs.title")))
    heading_has(d, C("jobs.title"))
    click(d, d.find_element(By.XPATH, f"//label[normalize-space(.)='{C('jobs.failedOnly')}']"))
    cells = table_row_cells(d, "browser test: the store feed timed out")
    assert cells[0] == "inventory.scanLowStock" and cells[1] == C("jobStatus.dead")
    assert "failed=true" in d.current_url
    row = next(r for r in d.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if "store feed" in r.text)
    click(d, button(d, C("jobs.details"), within=row))
    text_appears(d, "dialog[open] .job-error", "store feed timed out")
    browser.shot("job-details")
    click(d, d.find_element(By.CSS_SELECTOR, "dialog[open] .btn-icon"))

    row = next(r for r in d.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") if "store feed" in r.text)
    click(d, button(d, C("jobs.retry"), within=row))
    jobs = lambda: api.ok("GET", "/admin/jobs?per=200", token=token)["items"]
    wait(d).until(lambda drv: next(j for j in jobs() if j["id"].upper() == job_id)["status"] != "dead")
    browser.shot("job-retried")
    browser.assert_healthy()


def test_backup_made_listed_and_downloaded(browser, api):
    d = browser.driver
    token = api.staff_token("admin")
    console_sign_in(browser, "admin")
    click(d, link(d, C("backups.title")))
    heading_has(d, C("backups.title"))
    assert "chainmall restore" in d.find_element(By.ID, "console-main").text

    started = time.monotonic()
    click(d, button(d, C("backups.create")))
    visible(d, ".backup-list tbody tr")
    print(f"backup through the page took {time.monotonic() - started:.2f} s")
    browser.shot("backup-listed")
    files = api.ok("GET", "/admin/backups", token=token)
    assert files and files[0]["sizeBytes"] > 0
    name = files[0]["name"]
    cells = table_row_cells(d, name, css=".backup-list tbody tr")
    assert cells[0] == name
    # The archive holds the demo's uploaded files too, and the row says how many.
    assert files[0]["fileCount"] > 0
    assert cells[2] == C("backups.fileCount", count=f"{files[0]['fileCount']:,}")
    assert C("backups.scheduleOff") in d.find_element(By.ID, "console-main").text

    href = link(d, C("backups.download")).get_attribute("href")
    assert href.endswith(f"/api/v1/admin/backups/{name}")
    # The download is a tar archive: the first entry is the database (the demo runs on SQLite).
    body = d.execute_async_script("""
      const done = arguments[arguments.length - 1];
      fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.arrayBuffer())
        .then(b => done([String.fromCharCode(...new Uint8Array(b.slice(0, 15))), String.fromCharCode(...new Uint8Array(b.slice(257, 262))),
                         String.fromCharCode(...new Uint8Array(b.slice(512, 527)))])).catch(e => done('error ' + e));""", href)
    assert body == ["database.sqlite", "ustar", "SQLite format 3"]
    browser.assert_healthy()


@pytest.mark.parametrize("size", ["phone"])
def test_new_pages_fit_a_phone(browser):
    """Every page this work added opens on a phone without a sideways scroll or a console error."""
    d = browser.driver
    console_sign_in(browser, "admin")
    pages = {
        "/console/notifications": C("inbox.title"), "/console/jobs": C("jobs.title"), "/console/backups": C("backups.title"),
        "/console/shipping": C("shipping.title"), "/console/catalog/templates": C("specTemplates.title"),
        "/console/catalog/csv": C("csv.catalogTitle"), "/console/inventory/csv": C("csv.stockTitle"),
    }
    for path, title in pages.items():
        browser.open(path)
        heading_has(d, title)
        visible(d, "#console-main .card, #console-main .table-card")
        browser.shot(path.strip("/").replace("/", "-"))
    browser.open("/console/catalog")
    click(d, visible(d, "#console-main tbody tr a"))
    click(d, button(d, C("prices.open"), within=visible(d, ".sku-prices")))
    visible(d, "dialog[open] .price-book form")
    browser.shot("price-book")
    browser.assert_healthy()


def test_system_pages_in_english(browser):
    """The new pages and the inbox link speak English after the header's language switch."""
    d = browser.driver
    en = console_text("en")
    console_sign_in(browser, "admin")
    click(d, button(d, "English"))
    wait(d).until(lambda drv: storefront_text("en")["console_inbox"] in drv.find_element(By.ID, "console-inbox").text)
    for path, key in (("/console/jobs", "jobs.title"), ("/console/backups", "backups.title"), ("/console/notifications", "inbox.title"),
                      ("/console/shipping", "shipping.title"), ("/console/catalog/templates", "specTemplates.title")):
        browser.open(path)
        heading_has(d, en[key])
    assert en["backups.restoreTitle"] not in d.find_element(By.ID, "console-main").text
    browser.open("/console/backups")
    text_appears(d, "#console-main", en["backups.restoreTitle"])
    browser.shot("backups-en")
    browser.assert_healthy()
