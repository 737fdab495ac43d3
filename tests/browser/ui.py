"""Finding things the way a person does: by visible label, button text and role, with the
texts taken from the same message catalogs the pages use (so a copy change does not break the
tests, and a missing label does)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO = Path(__file__).resolve().parents[2]
DEFAULT_WAIT = 20


@lru_cache(maxsize=None)
def storefront_text(lang: str = "zh-CN") -> dict:
    return json.loads((REPO / "Resources" / "Locales" / f"{lang}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def console_text(lang: str = "zh-CN") -> dict:
    return json.loads((REPO / "Public" / "js" / "console" / "messages" / f"{lang}.json").read_text(encoding="utf-8"))


def T(key: str) -> str:
    """A storefront message (Resources/Locales/zh-CN.json)."""
    return storefront_text()[key]


def C(key: str, **params) -> str:
    """A console message (Public/js/console/messages/zh-CN.json) with {placeholders} filled."""
    text = console_text()[key]
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in parts) + ")"


class _NavigationTolerantWait(WebDriverWait):
    """A page that reloads itself (the order page does after an action) can replace a node
    between finding it and reading it. Chromium then answers a plain WebDriverException ("Node
    with given id does not belong to the document") rather than a stale-element error; the
    condition is simply tried again, like for a stale element."""

    def until(self, method, message: str = ""):
        def tolerant(driver):
            try:
                return method(driver)
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return False
                raise

        return super().until(tolerant, message)


def wait(driver, timeout: float = DEFAULT_WAIT) -> WebDriverWait:
    return _NavigationTolerantWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))


def visible(driver, css: str, timeout: float = DEFAULT_WAIT):
    return wait(driver, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def present(driver, css: str, timeout: float = DEFAULT_WAIT):
    return wait(driver, timeout).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def field(driver, label_text: str, timeout: float = DEFAULT_WAIT, exact: bool = True):
    """The control a visible <label> names (label[for] → id)."""
    literal = xpath_literal(label_text)
    # normalize-space(text()) is the label's own first text, without a required-field marker.
    match = (
        f"normalize-space(.)={literal} or normalize-space(text())={literal}"
        if exact
        else f"contains(normalize-space(.), {literal})"
    )
    label = wait(driver, timeout).until(
        EC.visibility_of_element_located((By.XPATH, f"//label[{match}]"))
    )
    target = label.get_attribute("for")
    assert target, f"label {label_text!r} has no for= attribute"
    return driver.find_element(By.ID, target)


def fill(driver, label_text: str, value: str, **kwargs):
    element = field(driver, label_text, **kwargs)
    element.clear()
    element.send_keys(value)
    return element


def choose(driver, label_text: str, *, text: str | None = None, value: str | None = None, partial: bool = False):
    select = Select(field(driver, label_text))
    if value is not None:
        select.select_by_value(value)
    elif partial:
        option = next(o for o in select.options if text in o.text)
        select.select_by_visible_text(option.text)
    else:
        select.select_by_visible_text(text)
    return select


def button(driver, text: str, timeout: float = DEFAULT_WAIT, within=None, exact: bool = True):
    """A clickable <button> (or role=button / submit input) whose visible text is `text`."""
    match = (
        f"normalize-space(.)={xpath_literal(text)}"
        if exact
        else f"contains(normalize-space(.), {xpath_literal(text)})"
    )
    xpath = f".//button[{match}] | .//*[@role='button'][{match}] | .//input[@type='submit'][@value={xpath_literal(text)}]"
    root = within or driver
    return wait(driver, timeout).until(lambda _: next((e for e in root.find_elements(By.XPATH, xpath) if e.is_displayed() and e.is_enabled()), False))


def link(driver, text: str, timeout: float = DEFAULT_WAIT, exact: bool = False):
    match = (
        f"normalize-space(.)={xpath_literal(text)}"
        if exact
        else f"contains(normalize-space(.), {xpath_literal(text)})"
    )
    return wait(driver, timeout).until(
        lambda d: next((e for e in d.find_elements(By.XPATH, f"//a[{match}]") if e.is_displayed()), False)
    )


def click(driver, element):
    """Scrolls the element to the middle of the viewport first: a sticky header on the phone
    size must not take the click (if something still covers it, that is a finding)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});", element)
    zoomed_out = driver.execute_script("return window.innerWidth > document.documentElement.clientWidth + 1")
    if zoomed_out:
        # A page wider than a phone's viewport makes the browser zoom out, and chromedriver's
        # mobile emulation then taps the wrong spot. Browser.check_layout reports the overflow;
        # here the journey goes on with a DOM click.
        driver.execute_script("arguments[0].click();", element)
    else:
        element.click()


def text_appears(driver, css: str, text: str, timeout: float = DEFAULT_WAIT):
    return wait(driver, timeout).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))


def table_row_cells(driver, needle: str, *, until=lambda cells: True, css: str = "#console-main tbody tr",
                    timeout: float = DEFAULT_WAIT) -> list[str]:
    """The cell texts of the first table row whose text contains `needle`, once they satisfy
    `until`. Rows are read in one script call: the console re-renders a table when its data
    arrives (a filter change renders the old rows first), so a row element found in one call
    can be gone by the next."""
    script = """
      for (const row of document.querySelectorAll(arguments[0])) {
        if (row.innerText.includes(arguments[1]))
          return Array.from(row.querySelectorAll('th, td'), cell => cell.innerText.trim());
      }
      return null;"""
    seen: list = [None]

    def ready(d):
        seen[0] = d.execute_script(script, css, needle)
        return seen[0] if seen[0] is not None and until(seen[0]) else False

    try:
        return wait(driver, timeout).until(ready)
    except Exception as error:
        raise AssertionError(f"no row with {needle!r} as expected; last seen {seen[0]!r}") from error


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def reload_until_text(driver, css: str, text: str, timeout: float = DEFAULT_WAIT, every: float = 1.0):
    """Reloads the page until the element shows the text: for state a background job changes
    (a payment gateway's notification arrives a moment after the pay page says "paid")."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        # The order page also reloads itself once a payment is confirmed, so an element read
        # here may belong to the page that was just replaced: read again then.
        try:
            elements = driver.find_elements(By.CSS_SELECTOR, css)
            seen = elements[0].text if elements else "(no element)"
        except WebDriverException as error:
            if isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error):
                continue
            raise
        if elements and text in seen:
            return elements[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"{css} still shows {seen!r}, expected {text!r} after {timeout:.0f} s of reloading")
        time.sleep(every)
        driver.refresh()


def place_and_pay_in_sandbox(driver, payable: str):
    """Places the checkout shown, checks the result asks for `payable`, pays it on the sandbox's
    page and waits on the order page until the gateway's callback has marked it paid."""
    click(driver, button(driver, T("checkout_place")))
    result = visible(driver, "#checkout-result", timeout=30)
    assert payable in result.text, result.text
    click(driver, visible(driver, "#checkout-result button[data-provider='sandbox']"))
    wait(driver).until(lambda x: "/sandbox/pay/" in x.current_url)
    click(driver, button(driver, "确认支付", exact=False))
    click(driver, visible(driver, "#return-to-shop"))
    reload_until_text(driver, "#order-status", T("status_paid"), timeout=40)


def sign_in_member(browser, path: str, login: tuple[str, str]):
    """Signs a member in on the storefront's login page and waits until it has taken them to `path`."""
    d = browser.driver
    browser.open(f"/login?next={path}")
    visible(d, "#login-form")
    fill(d, T("login_id"), login[0])
    fill(d, T("login_password"), login[1])
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: path in x.current_url)


def sign_in_staff(browser, path: str, login: tuple[str, str]):
    """Signs a staff member in on the console's login page and waits until it has taken them to `path`."""
    d = browser.driver
    browser.open(f"/console/login?next={path}")
    fill(d, T("console_username"), login[0])
    fill(d, T("login_password"), login[1])
    click(d, button(d, T("login_submit")))
    wait(d).until(lambda x: path in x.current_url)
