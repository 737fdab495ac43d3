"""Browser tests: the built `chainmall` binary with demo data, driven by headless Chromium.

Fixtures
- `server`     (session) starts `chainmall serve --demo` on a free port with a fresh DATA_DIR
               and yields its base URL; the process is stopped at the end of the session.
- `size`       "desktop" (1366 x 900) or "phone" (390 x 844, mobile emulation); tests that take
               `browser` run once per size.
- `browser`    a `Browser` (a Chromium session with `shot()` and console checks) for that size.
- `new_browser` opens further independent sessions of the same size (another signed-in user).
- `api`        a tiny JSON client for the server's /api/v1 (set-up that is not under test).

Environment: CHAINMALL_BIN (default <repo>/.build/debug/chainmall), CHROMIUM_BIN
(/usr/bin/chromium), CHROMEDRIVER_BIN (/usr/bin/chromedriver), BROWSER_SERVER_TIMEOUT (120 s).
Screenshots go to <repo>/artifacts/screenshots/<test>/<NN>-<name>-<size>.png and the server log
to <repo>/artifacts/browser-server.log; its tail is printed when a test fails.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "browser-server.log"

SIZES = {
    "desktop": {"width": 1366, "height": 900, "mobile": False},
    "phone": {"width": 390, "height": 844, "mobile": True},
}
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(lines: int = 60, path: Path = SERVER_LOG) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:])


def _binary() -> Path:
    binary = Path(os.environ.get("CHAINMALL_BIN", REPO / ".build" / "debug" / "chainmall"))
    if not binary.is_file():
        pytest.fail(f"server binary not found: {binary} (build it, or set CHAINMALL_BIN)", pytrace=False)
    return binary


class ServerProcess:
    """One `chainmall serve` on a free port with its own fresh DATA_DIR and log file."""

    def __init__(self, log_path: Path, demo: bool = True, extra_env: dict[str, str] | None = None):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self.data_dir = tempfile.mkdtemp(prefix="chainmall-browser-")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(DATA_DIR=self.data_dir, PORT=str(self.port), HOST="127.0.0.1", LOG_LEVEL="warning")
        # A DATABASE_URL inherited from the PostgreSQL test run would point the demo there.
        env.pop("DATABASE_URL", None)
        env.pop("SQLITE_PATH", None)
        env.update(extra_env or {})
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [str(_binary()), "serve"] + (["--demo"] if demo else []),
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_healthy(self):
        deadline = time.monotonic() + float(os.environ.get("BROWSER_SERVER_TIMEOUT", "120"))
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"chainmall exited with {self.process.returncode} before answering /healthz\n"
                    f"{_log_tail(path=self.log_path)}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chainmall did not answer /healthz at {self.url}\n{_log_tail(path=self.log_path)}", pytrace=False)
            time.sleep(0.5)

    def stop(self):
        """Stops exactly this process (SIGTERM, then SIGKILL after 15 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if not self.log.closed:
            self.log.close()

    def remove_data(self):
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server(request):
    """The demo server shared by the whole session; yields its base URL."""
    running = ServerProcess(SERVER_LOG, demo=True)
    request.config.stash[_server_key] = {"pid": running.process.pid, "url": running.url}
    try:
        running.wait_until_healthy()
        yield running.url
    finally:
        running.stop()
        if not request.session.testsfailed:
            running.remove_data()
        else:
            request.config.stash[_server_key]["data_dir"] = running.data_dir


@pytest.fixture
def private_server(request):
    """A server of the test's own, without demo data (starts in seconds), for tests that stop
    it (the offline page). Yields the ServerProcess; it is stopped and removed afterwards."""
    running = ServerProcess(ARTIFACTS / f"browser-server-{_safe(request.node.name)}.log", demo=False)
    try:
        running.wait_until_healthy()
        yield running
    finally:
        running.stop()
        running.remove_data()


_server_key = pytest.StashKey[dict]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    info = config.stash.get(_server_key, None)
    if info is None or exitstatus == 0:
        return
    terminalreporter.section("chainmall server log (tail)")
    terminalreporter.write_line(f"full log: {SERVER_LOG}")
    if "data_dir" in info:
        terminalreporter.write_line(f"data kept in: {info['data_dir']}")
    terminalreporter.write_line(_log_tail())


# --------------------------------------------------------------------------- API helper


class Api:
    """Plain JSON over HTTP against /api/v1, for test set-up (not what is being tested)."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def call(self, method: str, path: str, body=None, token: str | None = None, headers=None):
        url = self.base_url + "/api/v1" + path
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            raw = error.read()
            status = error.code
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return status, payload

    def ok(self, method: str, path: str, body=None, token=None, headers=None):
        status, payload = self.call(method, path, body, token, headers)
        assert 200 <= status < 300, f"{method} {path} -> {status}: {payload}"
        return payload

    def staff_token(self, login: str, password: str = "Demo@2026") -> str:
        payload = self.ok("POST", "/admin/auth/login", {"login": login, "password": password})
        return payload["tokens"]["accessToken"]

    def member_token(self, login: str, password: str = "Shop@2026") -> str:
        payload = self.ok("POST", "/auth/login", {"login": login, "password": password})
        return payload["tokens"]["accessToken"]

    def pay_in_sandbox(self, placed: dict, token: str):
        """Completes a checkout's sandbox payment and waits for its orders to be paid: the
        sandbox gateway calls back a moment later, as a real provider does."""
        self.ok("POST", f"/payments/{placed['payment']['id']}/sandbox/complete", token=token)
        for order in placed["orders"]:
            deadline = time.monotonic() + 30
            while self.ok("GET", f"/orders/{order['id']}", token=token)["status"] == "pending_payment":
                assert time.monotonic() < deadline, f"order {order['number']} was not paid within 30 s"
                time.sleep(0.2)


@pytest.fixture(scope="session")
def api(server) -> Api:
    return Api(server)


# --------------------------------------------------------------------------- browser


def _chrome_options(size: str) -> webdriver.ChromeOptions:
    spec = SIZES[size]
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--lang=zh-CN",
        f"--window-size={spec['width']},{spec['height']}",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    if spec["mobile"]:
        options.add_experimental_option(
            "mobileEmulation",
            {
                "deviceMetrics": {"width": spec["width"], "height": spec["height"], "pixelRatio": 2, "touch": True},
                "userAgent": PHONE_USER_AGENT,
            },
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "step"


class Browser:
    """One Chromium session. Delegates to the Selenium driver (`b.driver` or attribute access)."""

    def __init__(self, driver, base_url: str, size: str, shots: "ShotCounter", label: str = ""):
        self.driver = driver
        self.base_url = base_url
        self.size = size
        self.shots = shots
        self.label = label
        self.console: list[dict] = []
        self.layout_problems: dict[str, str] = {}

    def __getattr__(self, name):
        return getattr(self.driver, name)

    def open(self, path: str):
        self.driver.get(self.base_url + path)
        return self

    def shot(self, name: str) -> Path:
        """Save a full-page PNG as artifacts/screenshots/<test>/<NN>-<name>-<size>.png."""
        label = f"{self.label}-{name}" if self.label else name
        path = self.shots.next_path(label, self.size)
        # Sticky headers would be drawn where the page is scrolled to; capture from the top.
        scroll_y = self.driver.execute_script("const y = window.scrollY; window.scrollTo(0, 0); return y;")
        try:
            metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            content = metrics.get("cssContentSize") or metrics["contentSize"]
            width = SIZES[self.size]["width"]
            height = min(int(content["height"]), 6000)
            data = self.driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": max(height, 1), "scale": 1},
                },
            )["data"]
            import base64

            path.write_bytes(base64.b64decode(data))
        except Exception:  # fall back to the visible viewport
            self.driver.save_screenshot(str(path))
        self.driver.execute_script("window.scrollTo(0, arguments[0]);", scroll_y)
        self.check_layout()
        return path

    _OVERFLOW_JS = """
        const vw = document.documentElement.clientWidth;
        const width = document.documentElement.scrollWidth;
        if (width <= vw + 1) return null;
        const wide = [];
        for (const e of document.querySelectorAll('body *')) {
          const r = e.getBoundingClientRect();
          if (r.right > vw + 1 && r.width > 0) wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
            (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(r.width) + 'px');
        }
        return [width, vw, wide.slice(0, 4)];
    """

    def check_layout(self):
        """Records a page wider than the viewport (the phone then zooms out and scrolls sideways)."""
        try:
            found = self.driver.execute_script(self._OVERFLOW_JS)
        except Exception:
            return
        if found:
            width, viewport, wide = found
            page = self.driver.current_url.replace(self.base_url, "") or "/"
            key = page.split("?")[0]
            self.layout_problems.setdefault(
                key, f"{page}: the page is {width}px wide in a {viewport}px viewport; overflowing: {', '.join(wide)}"
            )

    def collect_console(self) -> list[dict]:
        try:
            entries = self.driver.get_log("browser")
        except Exception:
            entries = []
        self.console.extend(entries)
        return entries

    def severe_console_entries(self, ignore: tuple[str, ...] = ()) -> list[dict]:
        self.collect_console()
        return [
            entry
            for entry in self.console
            if entry.get("level") == "SEVERE" and not any(pattern in entry.get("message", "") for pattern in ignore)
        ]

    def assert_clean_console(self, ignore: tuple[str, ...] = ()):
        """Fail when the browser console logged any SEVERE entry (JS errors, CSP violations,
        failed resource loads) since the session started."""
        severe = self.severe_console_entries(ignore)
        if severe:
            lines = "\n".join(f"  {entry.get('message')}" for entry in severe)
            pytest.fail(f"browser console ({self.label or self.size}) has SEVERE entries:\n{lines}", pytrace=False)


    def assert_healthy(self, ignore: tuple[str, ...] = ()):
        """Fail on SEVERE console entries and on pages that overflowed the viewport sideways
        at any screenshot so far; both are reported together."""
        problems = [f"console: {entry.get('message')}" for entry in self.severe_console_entries(ignore)]
        problems += [f"layout: {text}" for text in self.layout_problems.values()]
        if problems:
            lines = "\n".join(f"  {line}" for line in problems)
            pytest.fail(f"{self.label or 'browser'} ({self.size}) saw problems:\n{lines}", pytrace=False)


def assert_no_console_errors(browser: Browser, ignore: tuple[str, ...] = ()):
    browser.assert_clean_console(ignore)


class ShotCounter:
    """Numbers a test's screenshots in the order they were taken, across its browser sessions."""

    def __init__(self, test_name: str):
        self.folder = SCREENSHOTS / _safe(test_name)
        self.counts: dict[str, int] = defaultdict(int)
        self.cleaned: set[str] = set()

    def next_path(self, name: str, size: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        if size not in self.cleaned:
            # Screenshots from an earlier run of this test at this size would interleave.
            for old in self.folder.glob(f"*-{size}.png"):
                old.unlink()
            self.cleaned.add(size)
        self.counts[size] += 1
        return self.folder / f"{self.counts[size]:02d}-{_safe(name)}-{size}.png"


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def shots(request) -> ShotCounter:
    return ShotCounter(request.node.originalname)


def _start_driver(size: str):
    service = Service(os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=_chrome_options(size), service=service)
    driver.set_page_load_timeout(60)
    return driver


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_call_failed_key] = report.failed


_call_failed_key = pytest.StashKey[bool]()


@pytest.fixture
def new_browser(request, server, size, shots):
    """Factory: new_browser(label="clerk") opens another independent session (own cookies);
    base_url= points it at another server (see private_server).
    When the test fails, every open session is screenshotted as "…-failure" before closing."""
    opened: list[Browser] = []

    def factory(label: str = "", base_url: str | None = None) -> Browser:
        browser = Browser(_start_driver(size), base_url or server, size, shots, label)
        opened.append(browser)
        return browser

    yield factory
    failed = request.node.stash.get(_call_failed_key, False)
    for browser in opened:
        try:
            if failed:
                browser.shot("failure")
                print(f"[{browser.label or 'browser'}] at {browser.driver.current_url}")
                for entry in browser.collect_console():
                    print(f"[{browser.label or 'browser'}] console {entry.get('level')}: {entry.get('message')}")
        except Exception:
            pass
        try:
            browser.driver.quit()
        except Exception:
            pass


@pytest.fixture
def browser(new_browser) -> Browser:
    return new_browser()
