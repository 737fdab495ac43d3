"""The nginx front of deploy/nginx/chainmall.conf, with the real server behind it: requests pass
with an edge request id, and a request whose headers are too large (a 200 KB header) is answered
431 with a problem document instead of a reset connection."""
from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO, free_port


@pytest.fixture
def nginx():
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is not installed (.ci/run installs it from Debian)", pytrace=False)
    processes = []

    def start(upstream_port: int) -> int:
        folder = Path(tempfile.mkdtemp(prefix="chainmall-nginx-"))
        port = free_port()
        site = (REPO / "deploy" / "nginx" / "chainmall.conf").read_text()
        site = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", site)
        site = re.sub(r"server 127\.0\.0\.1:8080;", f"server 127.0.0.1:{upstream_port};", site)
        (folder / "site.conf").write_text(site)
        temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (folder / "nginx.conf").write_text(
            f"daemon off; worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/error.log warn;\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{ access_log off; {temp} include {folder}/site.conf; }}\n")
        process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        processes.append(process)
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                return port
            except OSError:
                time.sleep(0.05)
        pytest.fail("nginx did not start", pytrace=False)

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_nginx_front_answers_431_for_oversized_headers(launch, nginx):
    server = launch(demo=False, env={"TRUST_PROXY": "true"})
    port = nginx(server.port)

    status, headers, body = get(port, "/api/v1/products?per=1")
    assert status == 200, body
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"]), "the edge's request id reaches the server and comes back"

    status, headers, body = get(port, "/healthz", {"X-Padding": "a" * 200_000})
    assert status == 431, body
    assert headers["content-type"].startswith("application/problem+json")
    assert b'"status":431' in body

    # Straight at the server the same request cannot get an answer (Vapor 4 closes the connection
    # when its HTTP parser gives up), but it costs the process nothing.
    try:
        get(server.port, "/healthz", {"X-Padding": "a" * 200_000})
    except (OSError, http.client.HTTPException):
        pass
    assert server.alive()
    assert server.terminate() == 0
