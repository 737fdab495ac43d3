"""Tests against the real `chainmall` process: what a trap or a bad shutdown would do to every
shopper at once can only be seen from outside the process.

Fixtures
- `database`  "sqlite", and "postgres" when DATABASE_URL names a PostgreSQL server whose role may
              create databases (each server then gets a database of its own, dropped afterwards).
- `launch`    starts `chainmall serve` (with demo data unless told otherwise) on a free port with
              a fresh DATA_DIR and that database; returns a `Server`. Servers still running at the
              end of the test are stopped.

Environment: CHAINMALL_BIN (default <repo>/.build/debug/chainmall), PROCESS_SERVER_TIMEOUT (180 s
for the demo to load and /healthz to answer).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "process"

# What a Swift runtime trap prints on its way out; none of it may ever appear in a server log.
TRAP_MARKERS = ("Fatal error", "Unexpectedly found nil", "Arithmetic overflow", "Index out of range",
                "Precondition failed", "Assertion failed", "Illegal instruction", "Segmentation fault", "Backtrace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary() -> Path:
    path = Path(os.environ.get("CHAINMALL_BIN", REPO / ".build" / "debug" / "chainmall"))
    if not path.is_file():
        pytest.fail(f"server binary not found: {path} (build it, or set CHAINMALL_BIN)", pytrace=False)
    return path


class Response:
    def __init__(self, status: int, body: bytes, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Server:
    """One `chainmall serve` with its own data folder, port and log."""

    def __init__(self, name: str, database_url: str | None, demo: bool, env: dict[str, str]):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.data_dir = tempfile.mkdtemp(prefix="chainmall-process-")
        self.database_url = database_url
        self.log_path = ARTIFACTS / f"{name}.log"
        # A restart appends to this server's log; an earlier run's log must not count.
        self.log_path.unlink(missing_ok=True)
        self.extra_env = env
        self.process: subprocess.Popen | None = None
        self.start(demo)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.update(DATA_DIR=self.data_dir, HOST="127.0.0.1", LOG_LEVEL="notice", BCRYPT_COST="4", RESOURCES_DIR=str(REPO))
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def start(self, demo: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = self.environment()
        env["PORT"] = str(self.port)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([str(binary()), "serve"] + (["--demo"] if demo else []), cwd=REPO, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + float(os.environ.get("PROCESS_SERVER_TIMEOUT", "180"))
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"chainmall exited with {self.process.returncode} before answering\n{self.log_tail()}", pytrace=False)
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chainmall did not answer /healthz\n{self.log_tail()}", pytrace=False)
            time.sleep(0.3)

    def command(self, *arguments: str) -> subprocess.CompletedProcess:
        """Runs another `chainmall` command (bench-check, …) on this server's data."""
        return subprocess.run([str(binary()), *arguments], cwd=REPO, env=self.environment(), capture_output=True, text=True, timeout=120)

    def request(self, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None,
                raw: bytes | None = None, timeout: float = 30) -> Response:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None and "Content-Type" not in (headers or {}):
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Response(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), error.headers)

    def login(self, login: str, password: str, staff: bool) -> str:
        path = "/api/v1/admin/auth/login" if staff else "/api/v1/auth/login"
        response = self.request("POST", path, {"login": login, "password": password})
        assert response.status == 200, response.text
        return response.json()["tokens"]["accessToken"]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and self.request("GET", "/healthz").status == 200

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def traps(self) -> list[str]:
        return [line for line in self.log_text().splitlines() if any(marker in line for marker in TRAP_MARKERS)]

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as every deploy sends; returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"chainmall did not stop within {timeout} s of SIGTERM\n{self.log_tail()}", pytrace=False)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def postgres_admin_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def postgres_database(admin_url: str) -> tuple[str, str]:
    """A fresh database on the server of `admin_url`; returns (its URL, its name)."""
    name = "chainmall_process_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", admin_url, "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


DATABASES = ["sqlite"] + (["postgres"] if postgres_admin_url() else [])


@pytest.fixture(params=DATABASES)
def database(request) -> str:
    return request.param


@pytest.fixture
def launch(database, request):
    servers: list[Server] = []
    databases: list[str] = []

    def start(demo: bool = True, env: dict[str, str] | None = None) -> Server:
        url = None
        if database == "postgres":
            admin = postgres_admin_url()
            url, name = postgres_database(admin)
            databases.append(name)
        server = Server(f"{request.node.name}-{len(servers)}".replace("/", "_"), url, demo, env or {})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            print(f"\n--- {server.name} log tail ---\n{server.log_tail()}")
    for name in databases:
        subprocess.run(["psql", postgres_admin_url(), "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
