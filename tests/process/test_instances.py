"""Several instances on one PostgreSQL database, as deploy/systemd starts them after an upgrade:
all at the same moment. Each runs the pending migrations at start; they take turns (an advisory
lock), so every instance comes up and every migration ran exactly once."""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import REPO, binary, free_port, postgres_admin_url, postgres_database


def test_three_instances_started_together_on_an_empty_database():
    admin = postgres_admin_url()
    if not admin:
        pytest.fail("DATABASE_URL must name a PostgreSQL server (.ci/run sets it)", pytrace=False)
    url, name = postgres_database(admin)
    processes, ports = [], []
    try:
        for _ in range(3):
            port = free_port()
            env = dict(os.environ, DATABASE_URL=url, DATA_DIR=tempfile.mkdtemp(prefix="chainmall-instance-"), PORT=str(port),
                       HOST="127.0.0.1", LOG_LEVEL="notice", BCRYPT_COST="4", RESOURCES_DIR=str(REPO))
            log = open(tempfile.mktemp(prefix="chainmall-instance-", suffix=".log"), "wb")
            processes.append((subprocess.Popen([str(binary()), "serve"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT), log.name))
            ports.append(port)
        deadline = time.monotonic() + 180
        waiting = set(ports)
        while waiting:
            for (process, log), port in zip(processes, ports):
                assert process.poll() is None, f"an instance exited ({process.returncode}):\n{open(log).read()[-3000:]}"
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/products?per=1", timeout=2) as response:
                        if response.status == 200:
                            waiting.discard(port)
                except OSError:
                    pass
            assert time.monotonic() < deadline, f"instances on {sorted(waiting)} did not come up"
            time.sleep(0.3)
        rows = subprocess.run(["psql", url, "-X", "-tA", "-c", "SELECT name, count(*) FROM _fluent_migrations GROUP BY name"],
                              capture_output=True, text=True, check=True).stdout.split()
        counts = [int(row.rsplit("|", 1)[1]) for row in rows]
        assert len(counts) > 20 and set(counts) == {1}, "every migration ran once"
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            process.wait(timeout=60)
        subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
