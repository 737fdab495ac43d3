"""A new merchant's whole way on the demo, as the people involved would click it.

1. Storefront /merchant-apply: a company fills the form with two intended stores (it adds a
   third by mistake and removes it), uploads its papers and follows its application.
2. Console, HQ: 入驻申请 → the application → 领取审核 → 通过 with a code and an 8% commission
   (typed as a percentage, like the fee rules);
   the dialog shows the new admin's first password once.
3. Console, the new admin: signs in, must change the password, sets the shop logo by upload.
4. The admin creates a product (one SKU) and submits it; HQ approves it; the admin puts it on
   the shelf and books goods into its first store (入库).
5. A shopper buys it for pickup at that store and pays in the sandbox (API: not the point here).
6. Console, the admin: the order → accept, pick, ready, the shopper's pickup code → picked up;
   the shopper confirms receipt (API) and the order is completed.
7. The after-sales window is set to 0 days (API, as HQ), so the order is final at once.
8. Console, HQ: 结算 → 立即结算 books the order's entries; the merchant's balance shows its
   net waiting for a statement, and the entries hold goods paid, commission at 8%, the 0.6%
   channel fee and the net.
9. HQ opens the merchant's balance and sees the two entries waiting for a statement. A regular
   statement covers a whole week and is issued T+N days after it, so HQ issues one now
   (余额 → 提前出具结算单); the merchant confirms it, HQ records the bank transfer and the
   statement reads as paid for exactly the net; the merchant's balance shows it paid.
"""
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_merchant_apply import PAPER, attach_papers_and_submit, credit_code
from ui import C, T, button, click, field, fill, link, storefront_text, table_row_cells, text_appears, visible, wait

SHOPPER = ("13800138000", "Shop@2026")
STORE_FIELDS = ["name", "province", "city", "district", "address", "latitude", "longitude", "phone"]


@pytest.fixture
def size():
    return "desktop"


def store_values(n: int) -> dict:
    return {"name": f"旅程{n}号店", "province": "浙江省", "city": "杭州市", "district": "西湖区", "address": f"文三路{n}号",
            "latitude": "30.2741", "longitude": "120.1551", "phone": f"0571-8888000{n}"}


def sign_in_console(browser, login, password="Demo@2026"):
    d = browser.driver
    browser.open("/console/login")
    fill(d, T("console_username"), login)
    fill(d, T("login_password"), password)
    click(d, button(d, T("login_submit")))


def heading_has(driver, text):
    wait(driver).until(lambda d: text in d.find_element(By.CSS_SELECTOR, "#console-main h1").text)


def test_apply_form_adds_and_removes_intended_stores(browser):
    """Up to ten intended stores, numbered; a removed one leaves no gap; English too."""
    d = browser.driver
    browser.open("/merchant-apply")
    text_appears(d, "h1", T("apply_title"))
    assert not visible(d, "fieldset[data-store]").find_element(By.CSS_SELECTOR, ".apply-remove-store").is_displayed(), \
        "the only store cannot be removed"
    add = button(d, T("apply_store_add"))
    for _ in range(9):
        click(d, add)
    sets = d.find_elements(By.CSS_SELECTOR, "fieldset[data-store]")
    assert len(sets) == 10 and not add.is_displayed(), "ten stores at most"
    assert sets[9].find_element(By.TAG_NAME, "legend").text == T("apply_store_numbered").replace("{n}", "10")
    d.find_element(By.ID, "apply-stores-4-name").send_keys("第五家")
    click(d, sets[3].find_element(By.CSS_SELECTOR, ".apply-remove-store"))
    assert len(d.find_elements(By.CSS_SELECTOR, "fieldset[data-store]")) == 9 and add.is_displayed()
    assert d.find_element(By.ID, "apply-stores-3-name").get_attribute("value") == "第五家", "the later stores move up"
    assert d.find_element(By.CSS_SELECTOR, "label[for='apply-stores-3-name']")
    assert not d.find_elements(By.ID, "apply-stores-9-name")
    browser.shot("nine-stores")

    d.add_cookie({"name": "lang", "value": "en", "path": "/"})
    browser.open("/merchant-apply")
    en = storefront_text("en")
    click(d, button(d, en["apply_store_add"]))
    legends = [e.text for e in d.find_elements(By.CSS_SELECTOR, "fieldset[data-store] legend")]
    assert legends == ["Intended store 1", "Intended store 2"], legends
    assert d.find_element(By.CSS_SELECTOR, "fieldset[data-store] .apply-remove-store").text == en["apply_store_remove"]
    browser.assert_healthy()


def test_new_merchant_from_application_to_settlement(browser, new_browser, api):
    tag = uuid.uuid4().hex[:4].upper()
    admin = api.staff_token("admin")

    # 1. The application, with two intended stores.
    applicant = browser
    applicant.label = "applicant"
    a = applicant.driver
    company = f"旅程测试商贸有限公司{tag}"
    code = credit_code("91330106MA2JR" + tag.replace("O", "0").replace("I", "1").replace("S", "5").replace("V", "7").replace("Z", "2"))
    applicant.open("/")
    click(a, a.find_element(By.CSS_SELECTOR, "footer a[href='/merchant-apply']"))
    text_appears(a, "h1", T("apply_title"))
    for label, value in [
        ("apply_company_name", company), ("apply_credit_code", code), ("apply_legal_representative", "周立"),
        ("apply_contact_name", "周经理"), ("apply_contact_phone", "13912340099"),
        ("apply_bank_account_name", company), ("apply_bank_name", "招商银行"), ("apply_bank_branch", "杭州分行"),
        ("apply_bank_account_number", "6225 8812 3456 0099"),
    ]:
        fill(a, T(label), value)
    add = button(a, T("apply_store_add"))
    click(a, add)
    click(a, add)
    third = a.find_elements(By.CSS_SELECTOR, "fieldset[data-store]")[2]
    click(a, third.find_element(By.CSS_SELECTOR, ".apply-remove-store"))
    for n in (1, 2):
        for key, value in store_values(n).items():
            a.find_element(By.ID, f"apply-stores-{n - 1}-{key}").send_keys(value)
    application_id = attach_papers_and_submit(applicant)
    # The follow-up page, where it can still be amended, shows both stores.
    wait(a).until(lambda x: len(x.find_elements(By.CSS_SELECTOR, "#apply-form fieldset[data-store]")) == 2
                  and x.find_element(By.ID, "apply-stores-1-name").get_attribute("value") == "旅程2号店")
    review = api.ok("GET", f"/admin/merchant-applications/{application_id}", token=admin)
    assert [s["name"] for s in review["stores"]] == ["旅程1号店", "旅程2号店"]
    assert review["missingDocuments"] == []

    # 2. HQ reviews and approves it in the console.
    hq = new_browser("hq")
    h = hq.driver
    sign_in_console(hq, "admin")
    visible(h, "#console-menu")
    hq.open("/console/applications")
    text_appears(h, "#console-main h1", C("applications.title"))
    click(h, link(h, company, timeout=30))
    text_appears(h, "#console-main h1", company)
    click(h, button(h, C("applications.take")))
    text_appears(h, "#console-main h1", C("applicationStatus.under_review"))
    click(h, button(h, C("applications.approve")))
    merchant_code = "JR" + tag
    fill(h, C("applications.merchantCode"), merchant_code)
    fill(h, C("applications.commission"), "8")
    click(h, visible(h, "dialog button[type=submit]"))
    password = visible(h, "dialog code.initial-password").text.strip()
    username = f"{merchant_code.lower()}.admin"
    assert username in visible(h, "dialog").text
    hq.shot("approved")
    click(h, visible(h, "dialog button"))
    applicant.open(f"/merchant-apply/{application_id}")
    text_appears(a, "#apply-status", T("apply_status_approved"))

    # 3. The new admin signs in, changes the first password, and sets the shop's logo.
    merchant = new_browser("merchant")
    m = merchant.driver
    sign_in_console(merchant, username, password)
    text_appears(m, "#console-main h1", C("password.title"))
    fill(m, C("password.current"), password)
    fill(m, C("password.new"), "Journey2026go")
    fill(m, C("password.confirm"), "Journey2026go")
    click(m, button(m, C("password.submit")))
    visible(m, "#console-menu")
    merchant_id = next(x for x in api.ok("GET", f"/admin/merchants?q={merchant_code}", token=admin)["items"] if x["code"] == merchant_code)["id"]
    merchant.open(f"/console/merchants/{merchant_id}")
    text_appears(m, "#console-main h1", merchant_code)
    visible(m, "#merchant-logo-file").send_keys(str(PAPER))
    text_appears(m, ".logo-upload", C("merchants.logoUploaded", name=PAPER.name))
    logo = field(m, C("merchants.logoUrl")).get_attribute("value")
    assert logo.startswith("/files/img/"), logo
    assert visible(m, "img.merchant-logo-preview").get_attribute("src").endswith(logo)
    merchant.shot("logo-uploaded")
    shop_form = m.find_element(By.ID, "merchant-logo-file").find_element(By.XPATH, "ancestor::form")
    click(m, button(m, C("action.save"), within=shop_form))
    text_appears(m, "body", C("common.saved"))
    assert api.ok("GET", f"/merchants/{merchant_id}")["logoUrl"] == logo, "the shop page shows the uploaded logo"

    # 4. A product: created and submitted by the merchant, approved by HQ, shelved, stocked.
    merchant.open("/console/catalog/new")
    title = f"旅程手工桂花糕{tag}"
    sku_code = f"JR{tag}-01"
    fill(m, C("field.title"), title)
    select = Select(field(m, C("field.category")))
    select.select_by_index(1)
    fill(m, C("field.unit"), "盒")
    single = C("catalog.singleSku")
    m.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('field.skuCode')} · {single}']").send_keys(sku_code)
    m.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('field.priceYuan')} · {single}']").send_keys("100.00")
    merchant.shot("new-product")
    click(m, button(m, C("catalog.createDraft")))
    heading_has(m, C("productStatus.draft"))
    product_id = m.current_url.rstrip("/").split("/")[-1]
    click(m, button(m, C("catalog.submit")))
    heading_has(m, C("productStatus.pending_review"))
    merchant.shot("submitted-for-review")

    hq.open(f"/console/catalog/{product_id}")
    heading_has(h, title)
    click(h, button(h, C("catalog.approve")))
    heading_has(h, C("productStatus.approved"))

    m.refresh()
    heading_has(m, C("productStatus.approved"))
    click(m, button(m, C("catalog.onShelf")))
    heading_has(m, C("shelf.on"))
    merchant.open("/console/inventory/receive")
    Select(field(m, C("field.store"))).select_by_visible_text(
        next(o.text for o in Select(field(m, C("field.store"))).options if "旅程1号店" in o.text))
    m.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('field.lineCode', n=1)}']").send_keys(sku_code)
    m.find_element(By.CSS_SELECTOR, f"input[aria-label='{C('field.lineQty', n=1)}']").send_keys("20")
    click(m, button(m, C("inventory.bookReceipt")))
    text_appears(m, "#console-main", C("inventory.receiptBooked", count=1))
    merchant.shot("stocked")

    # 5. A shopper buys two for pickup at the store and pays (set-up through the API).
    store = next(s for s in api.ok("GET", f"/admin/stores?merchantId={merchant_id}&per=20", token=admin)["items"] if s["name"] == "旅程1号店")
    product = api.ok("GET", f"/products/{product_id}?storeId={store['id']}")
    sku = product["skus"][0]
    assert sku["available"] == 20, "the shopper sees the stock the merchant booked"
    shopper = api.member_token(*SHOPPER)
    for line in api.ok("GET", "/cart", token=shopper).get("lines", []):
        api.call("DELETE", f"/cart/lines/{line['id']}", token=shopper)
    api.ok("POST", "/cart/lines", {"skuId": sku["id"], "quantity": 2}, token=shopper)
    api.ok("PUT", f"/cart/fulfilments/{merchant_id}", {"mode": "pickup", "storeId": store["id"]}, token=shopper)
    placed = api.ok("POST", "/checkout", {}, token=shopper, headers={"Idempotency-Key": f"journey-{uuid.uuid4()}"})
    order = next(o for o in placed["orders"] if o["merchantId"] == merchant_id) if len(placed["orders"]) > 1 else placed["orders"][0]
    paid_fen = order["payableFen"]
    api.pay_in_sandbox(placed, shopper)

    # 6. The store fulfils it in the console; the shopper collects and confirms.
    merchant.open(f"/console/orders/{order['id']}")
    heading_has(m, order["number"])
    for action, status in (("orders.accept", "accepted"), ("orders.pick", "picking"), ("orders.ready", "ready_for_pickup")):
        click(m, button(m, C(action)))
        heading_has(m, C(f"orderStatus.{status}"))
    pickup_code = api.ok("GET", f"/orders/{order['id']}", token=shopper)["pickupCode"]
    fill(m, C("orders.pickupCodeEntry"), pickup_code)
    click(m, button(m, C("orders.pickup")))
    heading_has(m, C("orderStatus.picked_up"))
    merchant.shot("picked-up")
    assert api.ok("POST", f"/orders/{order['id']}/confirm", token=shopper)["status"] == "completed"

    # 7. No after-sales window, so the order is final now.
    settings = api.ok("GET", "/admin/settings", token=admin)
    window = next(s["value"] for s in settings if s["key"] == "aftersales.windowDays")
    window = next(iter(window.values())) if isinstance(window, dict) else window
    api.ok("PATCH", "/admin/settings", {"values": {"aftersales.windowDays": 0}}, token=admin)
    try:
        # 8. HQ runs settlement in the console.
        hq.open("/console/settlements")
        text_appears(h, "#console-main h1", C("settlements.title"))
        click(h, button(h, C("settlements.run")))
        text_appears(h, "body", C("settlements.ran").split("{")[0])
        hq.shot("settlement-run")
    finally:
        api.ok("PATCH", "/admin/settings", {"values": {"aftersales.windowDays": window}}, token=admin)

    merchant_token = api.staff_token(username, "Journey2026go")
    balances = api.ok("GET", "/admin/settlements/balances", token=merchant_token)
    assert [b["merchantId"] for b in balances] == [merchant_id], "the merchant sees only its own balance"
    # The demo's member discount is the platform's: it is paid back to the merchant, and the
    # commission is on the goods' price; the channel fee (0.6%) on what the shopper paid.
    goods_fen, discount_fen = order["goodsFen"], order["discountFen"]
    commission = round(goods_fen * 0.08)
    channel_fee = round(paid_fen * 0.006)
    net = paid_fen + discount_fen - commission - channel_fee
    assert balances[0]["awaitingSettlementFen"] == 0
    assert balances[0]["pendingStatementFen"] == net, (balances[0], goods_fen, discount_fen, paid_fen, commission, channel_fee)

    # The merchant's console shows the same balance.
    merchant.open("/console/settlements")
    text_appears(m, "#console-main h1", C("settlements.title"))
    click(m, link(m, C("settlements.balances")))
    row = table_row_cells(m, company, css="table.balances tbody tr")
    merchant.shot("merchant-balance")
    assert any(f"{net / 100:,.2f}" in cell for cell in row), row

    # 9. HQ issues the statement now; the merchant confirms it; HQ pays it.
    hq.open("/console/settlements/balances")
    visible(h, "table.balances tbody tr")  # loaded
    # What the pending balance is made of: the order's two entries, waiting for a statement.
    click(h, link(h, company))
    text_appears(h, "#console-main h2", C("settlements.pendingEntries"))
    assert len(h.find_elements(By.CSS_SELECTOR, ".statement-entries tbody tr")) == 2
    hq.shot("pending-entries")
    row = next(r for r in h.find_elements(By.CSS_SELECTOR, "table.balances tbody tr") if company in r.text)
    click(h, button(h, C("settlements.issueNow"), within=row))
    dialog = visible(h, "dialog[open]")
    click(h, button(h, C("action.confirm"), within=dialog))
    text_appears(h, "#console-main h1", company)
    statement_id = h.current_url.rstrip("/").rsplit("/", 1)[-1]
    assert h.find_element(By.CSS_SELECTOR, ".statement-net").text.replace(",", "").endswith(f"{net / 100:.2f}")
    hq.shot("statement-issued")

    merchant.open(f"/console/settlements/{statement_id}")
    text_appears(m, "#console-main h1", company)
    assert len(m.find_elements(By.CSS_SELECTOR, ".statement-entries tbody tr")) == 2, "the goods line and the order's part"
    click(m, button(m, C("settlements.confirm")))
    click(m, button(m, C("action.confirm"), within=visible(m, "dialog[open]")))
    text_appears(m, "#console-main", C("statementStatus.confirmed"))
    merchant.shot("statement-confirmed")

    hq.open(f"/console/settlements/{statement_id}")
    click(h, button(h, C("settlements.recordPayout")))
    dialog = visible(h, "dialog[open]")
    fill(h, C("settlements.bankReference"), "ICBC-JOURNEY-1")
    click(h, button(h, C("settlements.recordPayout"), within=dialog))
    text_appears(h, "#console-main", C("statementStatus.paid"))
    paid = api.ok("GET", f"/admin/settlements/{statement_id}", token=merchant_token)["statement"]
    assert paid["status"] == "paid" and paid["payout"]["amountFen"] == net == paid["netFen"]
    balance = api.ok("GET", "/admin/settlements/balances", token=merchant_token)[0]
    assert (balance["pendingStatementFen"], balance["settledUnpaidFen"], balance["paidFen"]) == (0, 0, net), balance
    hq.shot("statement-paid")
    merchant.assert_healthy()
    hq.assert_healthy()
    applicant.assert_healthy()
