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

    def start(upstream_port: int, data_dir: Path) -> int:
        folder = Path(tempfile.mkdtemp(prefix="chainmall-nginx-"))
        port = free_port()
        site = (REPO / "deploy" / "nginx" / "chainmall.conf").read_text()
        site = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", site)
        # The shipped upstream lists three instances on 8080-8082: here the first is the server
        # under test and the others are ports nobody listens on, as when two instances are down.
        dead = [free_port(), free_port()]
        for shipped, actual in zip((8080, 8081, 8082), [upstream_port, *dead]):
            site = site.replace(f"server 127.0.0.1:{shipped} ", f"server 127.0.0.1:{actual} ")
        site = site.replace("/opt/chainmall/Public", str(REPO / "Public"))
        site = site.replace("root /var/lib/chainmall;", f"root {data_dir};")
        # nginx's workers run as another user: they must be able to read the data folder, as
        # they read /var/lib/chainmall in production.
        for folder_to_open in (data_dir, data_dir / "files", data_dir / "files" / "img"):
            folder_to_open.mkdir(parents=True, exist_ok=True)
            folder_to_open.chmod(0o755)
        site = site.replace("/etc/nginx/chainmall-proxy.conf", str(REPO / "deploy" / "nginx" / "chainmall-proxy.conf"))
        (folder / "site.conf").write_text(site)
        temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (folder / "nginx.conf").write_text(
            f"daemon off; worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/error.log warn;\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{ access_log off; include /etc/nginx/mime.types; {temp} include {folder}/site.conf; }}\n")
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
    port = nginx(server.port, Path(server.data_dir))

    # Two of the three upstream instances are down: every request still reaches the live one.
    for _ in range(6):
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


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_nginx_serves_static_files_and_public_images_from_disk(launch, nginx):
    server = launch(demo=False, env={"TRUST_PROXY": "true"})
    port = nginx(server.port, Path(server.data_dir))

    status, headers, body = get(port, "/css/mall.css")
    assert status == 200 and body == (REPO / "Public" / "css" / "mall.css").read_bytes()
    assert headers["cache-control"] == "public, max-age=3600"
    assert "x-request-id" not in headers, "answered by nginx from disk, not by an instance"

    # An image in the local file storage that no media row names: the instance would refuse it,
    # so a 200 proves nginx served it, with the year-long cache of content-addressed files.
    image = Path(server.data_dir) / "files" / "img" / ("ab" * 32 + ".png")
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\n test bytes")
    status, headers, body = get(port, f"/files/img/{image.name}")
    assert status == 200 and body == image.read_bytes()
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "sandbox" in headers["content-security-policy"]

    # Anything else under /files/ (merchant papers, exports, backups) goes to the instance, which
    # serves only what a media row names.
    private = Path(server.data_dir) / "files" / "applications" / "secret.png"
    private.parent.mkdir(parents=True, exist_ok=True)
    private.write_bytes(b"licence")
    status, headers, body = get(port, "/files/applications/secret.png")
    assert status == 404 and b"licence" not in body
    assert headers["content-type"].startswith("application/problem+json")
    status, headers, _ = get(port, "/files/img/" + "cd" * 32 + ".png")
    assert status == 404 and "x-request-id" in headers, "a missing image falls through to an instance"

    # Every instance down: a problem document, not nginx's HTML page.
    assert server.terminate() == 0
    status, headers, body = get(port, "/api/v1/products?per=1")
    assert status == 503 and headers["content-type"].startswith("application/problem+json") and b'"status":503' in body
    assert headers["retry-after"] == "5"
