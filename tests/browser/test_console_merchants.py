"""HQ reviews the demo's merchant application in the console and looks after a merchant.

Console → 入驻申请: the demo application (杭州茶香里) with its three papers shown → 领取审核 →
通过 with a merchant code → the dialog shows the new admin's username and first password once.
Console → 商户: the new merchant is listed; its page shows its store; HQ records a deposit, and
suspends it with a reason (the merchant's status badge says so).
"""
import pytest
from selenium.webdriver.common.by import By

from ui import C, T, button, click, fill, text_appears, visible, wait


@pytest.fixture
def size():
    return "desktop"


def test_review_approve_and_look_after_the_merchant(browser):
    d = browser.driver
    browser.open("/console/login?next=/console/applications")
    fill(d, T("console_username"), "admin")
    fill(d, T("login_password"), "Demo@2026")
    click(d, button(d, T("login_submit")))
    text_appears(d, "#console-main h1", C("applications.title"))
    click(d, visible(d, "#console-main a[href^='/console/applications/']"))
    text_appears(d, "#console-main h1", "杭州茶香里茶叶有限公司")
    wait(d).until(lambda x: len([i for i in x.find_elements(By.CSS_SELECTOR, "img.application-document")
                                 if (i.get_attribute("src") or "").startswith("blob:")]) == 3)
    browser.shot("application")

    click(d, button(d, C("applications.take")))
    text_appears(d, "#console-main h1", C("applicationStatus.under_review"))
    click(d, button(d, C("applications.approve")))
    fill(d, C("applications.merchantCode"), "TEAHOUSE")
    click(d, visible(d, "dialog button[type=submit]"))
    password = visible(d, "dialog code.initial-password").text
    assert len(password) == 12
    assert "teahouse.admin" in visible(d, "dialog").text
    browser.shot("approved")
    click(d, visible(d, "dialog button"))

    browser.open("/console/merchants?q=TEAHOUSE")
    click(d, visible(d, "#console-main a[href^='/console/merchants/']"))
    text_appears(d, "#console-main h1", "TEAHOUSE")
    text_appears(d, "#console-main", "TEAHOUSE-01")
    fill(d, C("merchants.deposit"), "5000")
    click(d, button(d, C("merchants.saveDeposit")))
    text_appears(d, "body", C("common.saved"))
    d.refresh()
    text_appears(d, "#console-main .card", "¥5,000.00")
    click(d, button(d, C("merchantAction.suspended")))
    fill(d, C("field.reason"), "资质过期")
    click(d, visible(d, "dialog button[type=submit]"))
    text_appears(d, "#console-main h1", C("merchantStatus.suspended"))
    browser.shot("suspended")
