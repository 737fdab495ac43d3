"""A company applies to sell on the mall from the storefront, is approved, and its new admin
must change the first password before the console opens.

Storefront: footer "商家入驻" → /merchant-apply → company, contact, bank account, one store and
the three required papers → the follow-up page (token in the fragment) says "submitted".
Set-up (API, as HQ): take the application for review and approve it; the answer holds the admin's
first password. Console: sign in with it → only the change-password form → change → the menu.
"""
from pathlib import Path

from selenium.webdriver.common.by import By

from ui import C, T, button, click, fill, text_appears, visible, wait

PAPER = Path(__file__).resolve().parents[2] / "Tests" / "MallServerTests" / "Fixtures" / "images" / "rgb-5x3.png"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(body: str) -> str:
    """A valid unified social credit code: `body` (17 characters) and its check character."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS))
    return body + ALPHABET[(31 - total % 31) % 31]


def attach_papers_and_submit(browser) -> str:
    """Attaches the three required papers, submits the filled form and waits for the follow-up
    page to say "submitted"; answers the application's id."""
    d = browser.driver
    for kind in ["business_licence", "id_card_front", "id_card_back"]:
        d.find_element(By.ID, f"apply-document-{kind}").send_keys(str(PAPER))
    browser.shot("form")
    click(d, button(d, T("apply_submit")))
    wait(d).until(lambda x: "/merchant-apply/" in x.current_url and "#token=" in x.current_url)
    text_appears(d, "#apply-status", T("apply_status_submitted"))
    browser.shot("follow-up")
    return d.current_url.split("/merchant-apply/")[1].split("#")[0]


def test_apply_get_approved_and_change_the_first_password(browser, new_browser, api, size):
    d = browser.driver
    code = credit_code("91330106MA2BR" + ("D001" if size == "desktop" else "P001"))
    browser.open("/")
    click(d, d.find_element(By.CSS_SELECTOR, "footer a[href='/merchant-apply']"))
    text_appears(d, "h1", T("apply_title"))
    for label, value in [
        ("apply_company_name", f"浏览器测试贸易有限公司 {size}"), ("apply_credit_code", code.lower()),
        ("apply_legal_representative", "陈立"), ("apply_contact_name", "陈经理"),
        ("apply_contact_phone", "1391234" + ("0001" if size == "desktop" else "0002")),
        ("apply_bank_account_name", "浏览器测试贸易有限公司"), ("apply_bank_name", "招商银行"), ("apply_bank_branch", "杭州分行"),
        ("apply_bank_account_number", "6225 8812 3456 7890"), ("apply_store_name", "测试一号店"), ("apply_store_province", "浙江省"),
        ("apply_store_city", "杭州市"), ("apply_store_district", "西湖区"), ("apply_store_address", "文三路1号"),
        ("apply_store_latitude", "30.2741"), ("apply_store_longitude", "120.1551"), ("apply_store_phone", "0571-88880001"),
    ]:
        fill(d, T(label), value)
    application_id = attach_papers_and_submit(browser)

    admin = api.staff_token("admin")
    review = api.ok("GET", f"/admin/merchant-applications/{application_id}", token=admin)
    assert review["creditCode"] == code and review["missingDocuments"] == []
    assert review["bankAccount"]["accountNumber"] == "6225881234567890"
    api.ok("POST", f"/admin/merchant-applications/{application_id}/review", token=admin)
    merchant_code = "BR" + size.upper()[:4]
    approved = api.ok("POST", f"/admin/merchant-applications/{application_id}/approve", {"merchantCode": merchant_code}, token=admin)
    assert [s["code"] for s in approved["stores"]] == [f"{merchant_code}-01"]

    browser.open(f"/merchant-apply/{application_id}")
    text_appears(d, "#apply-status", T("apply_status_approved"))

    console = new_browser()
    c = console.driver
    console.open("/console/login")
    fill(c, T("console_username"), approved["adminUsername"])
    fill(c, T("login_password"), approved["initialPassword"])
    click(c, button(c, T("login_submit")))
    text_appears(c, "#console-main h1", C("password.title"))
    console.shot("forced-password-change")
    fill(c, C("password.current"), approved["initialPassword"])
    fill(c, C("password.new"), "Fresh2026go")
    fill(c, C("password.confirm"), "Fresh2026go")
    click(c, button(c, C("password.submit")))
    visible(c, "#console-menu a[href='/console/merchants']")
    console.shot("console-after-change")
