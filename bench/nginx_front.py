#!/usr/bin/env python3
"""The production nginx site (deploy/nginx/chainmall.conf) as shipped, pointed at local instances:
writes nginx.conf and site.conf into a folder for `nginx -p FOLDER -c FOLDER/nginx.conf`.

    bench/nginx_front.py --folder DIR --listen PORT --data-dir DATA_DIR PORT [PORT ...]

Only what differs on this machine is changed: the upstream's instance lines, the listening
address (127.0.0.1), the Public/ and DATA_DIR roots and the path of the shared proxy settings.
Every other directive (keep-alive, retries, timeouts, static files, error pages) is the shipped one.
"""
from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def render_site(ports: list[int], listen: int, data_dir: Path) -> str:
    site = (ROOT / "deploy" / "nginx" / "chainmall.conf").read_text()
    lines, upstream_done = [], False
    for line in site.splitlines():
        if line.strip().startswith("server 127.0.0.1:808"):
            if not upstream_done:
                lines += [f"    server {HOST}:{p} max_fails=1 fail_timeout=5s;" for p in ports]
                upstream_done = True
            continue
        lines.append(line)
    if not upstream_done:
        raise SystemExit("nginx_front: no `server 127.0.0.1:808x` line in deploy/nginx/chainmall.conf")
    site = "\n".join(lines) + "\n"
    site = site.replace("listen 80;", f"listen {HOST}:{listen};")
    site = site.replace("/opt/chainmall/Public", str(ROOT / "Public"))
    site = site.replace("root /var/lib/chainmall;", f"root {data_dir};")
    return site.replace("/etc/nginx/chainmall-proxy.conf", str(ROOT / "deploy" / "nginx" / "chainmall-proxy.conf"))


def write(folder: Path, ports: list[int], listen: int, data_dir: Path, workers: int = 2) -> Path:
    """Writes the two files; returns the nginx.conf to start nginx with."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(render_site(ports, listen, data_dir))
    temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        f"daemon off; worker_processes {workers}; pid {folder}/nginx.pid; error_log {folder}/nginx-error.log warn;\n"
        f"events {{ worker_connections 4096; }}\n"
        f"http {{ access_log off; include /etc/nginx/mime.types; {temp} include {folder}/site.conf; }}\n")
    return folder / "nginx.conf"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("ports", type=int, nargs="+")
    args = parser.parse_args()
    print(write(Path(args.folder), args.ports, args.listen, Path(args.data_dir)))
