"""Settlement from both sides on the demo: HQ runs settlement, 鲜丰果园's admin (fruit.admin)
opens its statement awaiting confirmation, checks the Excel export, and confirms; HQ records
the payout and the statement reads as paid, for exactly its net.

The demo seeds a month of orders at 鲜丰果园 and 麦田烘焙 settled day by day, so each merchant
has a newest statement awaiting its confirmation."""
import io
import urllib.request
import zipfile

import pytest
from openpyxl import load_workbook
from selenium.webdriver.support.ui import Select

from test_reviews import png_file
from ui import C, T, button, click, console_text, fill, table_row_cells, text_appears, visible


@pytest.fixture
def size():
    return "desktop"


def sign_in(browser, login):
    d = browser.driver
    browser.open("/console/login")
    fill(d, T("console_username"), login)
    fill(d, T("login_password"), "Demo@2026")
    click(d, button(d, T("login_submit")))
    visible(d, "#console-menu")


def test_merchant_confirms_and_platform_pays(browser, new_browser, api):
    admin = api.staff_token("admin")
    fruit = api.staff_token("fruit.admin")
    drafts = api.ok("GET", "/admin/settlements?status=draft", token=fruit)["items"]
    assert drafts, "the demo leaves 鲜丰果园 a statement to confirm"
    statement = drafts[0]
    assert all(s["merchantName"].startswith("鲜丰果园") for s in api.ok("GET", "/admin/settlements", token=fruit)["items"]), \
        "a merchant sees only its own statements"

    # HQ runs settlement from the console; nothing is booked twice.
    hq = browser
    hq.label = "hq"
    d = hq.driver
    sign_in(hq, "admin")
    click(d, d.find_element("css selector", "#console-menu a[href='/console/settlements']"))
    text_appears(d, "#console-main h1", C("settlements.title"))
    table_row_cells(d, "鲜丰果园")
    click(d, button(d, C("settlements.run")))
    text_appears(d, "body", console_text()["settlements.ran"].split("{")[0])
    hq.shot("statements")

    # The merchant's view: its statement, the workbook, and confirm.
    merchant = new_browser(label="fruit")
    m = merchant.driver
    sign_in(merchant, "fruit.admin")
    merchant.open(f"/console/settlements/{statement['id']}")
    text_appears(m, "#console-main h1", statement["merchantName"])
    net = m.find_element("css selector", ".statement-net").text
    assert net.replace(",", "").endswith(f"{statement['totals']['merchantNetFen'] / 100:.2f}")
    rows = m.find_elements("css selector", ".statement-entries tbody tr")
    assert len(rows) == statement["entryCount"] > 0
    merchant.shot("statement")

    request = urllib.request.Request(f"{api.base_url}/api/v1/admin/settlements/{statement['id']}/export.xlsx",
                                     headers={"Authorization": f"Bearer {fruit}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        workbook_bytes = response.read()
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(workbook_bytes)).namelist()
    sheet = load_workbook(io.BytesIO(workbook_bytes)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Merchant net"
    total = [c.value for c in sheet[sheet.max_row]]
    assert total[1] == "Statement total" and round(total[-1] * 100) == statement["totals"]["merchantNetFen"], "amounts are numbers"
    assert sheet.cell(row=2, column=1).is_date, "booking times are dates"

    click(m, button(m, C("settlements.confirm")))
    dialog = visible(m, "dialog[open]")
    click(m, button(m, C("action.confirm"), within=dialog))
    text_appears(m, "#console-main", C("statementStatus.confirmed"))
    assert api.ok("GET", f"/admin/settlements/{statement['id']}", token=fruit)["statement"]["status"] == "confirmed"
    merchant.shot("confirmed")
    merchant.assert_healthy()

    # HQ records the payout against the confirmed statement.
    hq.open(f"/console/settlements/{statement['id']}")
    click(d, button(d, C("settlements.recordPayout")))
    dialog = visible(d, "dialog[open]")
    fill(d, C("settlements.bankReference"), "CMB20261207BROWSER")
    visible(d, "#payout-receipt-file").send_keys(str(png_file()))
    text_appears(d, ".receipt-upload", C("settlements.uploaded", name="photo.png"))
    hq.shot("payout-form")
    click(d, button(d, C("settlements.recordPayout"), within=dialog))
    text_appears(d, "#console-main", C("statementStatus.paid"))
    paid = api.ok("GET", f"/admin/settlements/{statement['id']}", token=admin)["statement"]
    assert paid["status"] == "paid" and paid["payout"]["bankReference"] == "CMB20261207BROWSER"
    assert paid["payout"]["amountFen"] == statement["totals"]["merchantNetFen"]
    assert paid["payout"]["receiptUrl"].startswith("/files/img/"), "the uploaded receipt is kept with the payout"
    hq.shot("paid")

    # The fee rules behind it: 鲜丰果园 pays 6%, 5% on fruit.
    hq.open("/console/settlements/fee-rules")
    Select(visible(d, "#fee-rule-merchant")).select_by_visible_text(statement["merchantName"])
    text_appears(d, "table.fee-rules", "5.00%")
    text_appears(d, "table.fee-rules", "6.00%")
    hq.shot("fee-rules")
    hq.assert_healthy()
