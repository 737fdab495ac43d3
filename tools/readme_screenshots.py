"""Retakes the README's storefront and console screenshots (docs/images/) from a running demo.

    swift run chainmall serve --demo            # in another terminal
    python3 tools/readme_screenshots.py [http://127.0.0.1:8080]

Uses the browser tests' Chromium settings (tests/browser/conftest.py): 1366 px desktop and a
390 px phone. Signs in as the demo member and the demo admin; changes no data.
"""
import json
import os
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "browser"))

from conftest import _chrome_options  # noqa: E402  (the browser tests' own settings)
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080").rstrip("/")
OUT = REPO / "docs" / "images"


def api(path: str):
    with urllib.request.urlopen(BASE + "/api/v1" + path) as response:
        return json.load(response)


def session(size: str) -> webdriver.Chrome:
    service = Service(os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=_chrome_options(size), service=service)


def full_page(driver, name: str):
    """The whole page, not just the window: the window is stretched to the document's height."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return window.innerWidth")
    driver.set_window_size(max(width, driver.get_window_size()["width"]), min(height + 120, 4000))
    driver.save_screenshot(str(OUT / f"{name}.png"))
    print("wrote", OUT / f"{name}.png")


def sign_in(driver, path: str, login: str, password: str, field_ids: tuple[str, str]):
    driver.get(BASE + path)
    driver.find_element(By.ID, field_ids[0]).send_keys(login)
    password_field = driver.find_element(By.ID, field_ids[1])
    password_field.send_keys(password)
    password_field.find_element(By.XPATH, "./ancestor::form//button[@type='submit']").click()
    WebDriverWait(driver, 15).until(lambda d: "/login" not in d.current_url)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    best = api("/products?sort=sales&per=1")["items"][0]

    desktop = session("desktop")
    try:
        desktop.get(BASE + "/")
        full_page(desktop, "storefront-desktop")
        desktop.set_window_size(1366, 900)
        sign_in(desktop, "/console/login", "admin", "Demo@2026", ("staff-login", "staff-password"))
        desktop.get(BASE + "/console/orders")
        WebDriverWait(desktop, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#console-main tbody tr"))
        desktop.save_screenshot(str(OUT / "console-orders.png"))
        print("wrote", OUT / "console-orders.png")
    finally:
        desktop.quit()

    phone = session("phone")
    try:
        phone.get(BASE + f"/product/{best['id']}")
        WebDriverWait(phone, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".buy-box h1"))
        phone.save_screenshot(str(OUT / "product-phone.png"))
        print("wrote", OUT / "product-phone.png")
    finally:
        phone.quit()


if __name__ == "__main__":
    main()
