#!/usr/bin/env python3
"""Records the FastDFS request packets a third-party Python client (PyPI `fastdfs-client`) sends
for upload, download (whole and ranged) and delete, against Tests/fakes/fake_fastdfs.py, into
Tests/MallServerTests/Fixtures/fastdfs_vectors.json. The Swift tests send the same operations
and compare their bytes with these.

    pip install fastdfs-client==1.3.0 && python3 Tests/vectors/make_fastdfs_vectors.py
"""
import json
import os
import subprocess
import sys
import tempfile

from fastdfs_client.client import Config, FastdfsClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = b"ChainMall FastDFS vector: 0123456789abcdef"


def main():
    record = tempfile.NamedTemporaryFile(delete=False, suffix=".jsonl").name
    fake = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/fakes/fake_fastdfs.py"), "--record", record],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        _, tracker_port, _ = fake.stdout.readline().split()
        client = FastdfsClient(Config.create(("127.0.0.1",), port=int(tracker_port), timeout=5))
        file_id = client.upload_by_buffer(DATA, "txt")["Remote file_id"]
        whole = client.download_to_buffer(file_id)["Content"]
        ranged = client.download_to_buffer(file_id, offset=10, down_bytes=7)["Content"]
        assert whole == DATA and ranged == DATA[10:17], (whole, ranged)
        client.delete_file(file_id)
    finally:
        fake.stdin.close()
        fake.wait(timeout=5)
    with open(record) as lines:
        packets = [json.loads(line) for line in lines]
    os.unlink(record)
    # Pooled connections may add active tests (111) and quits (82); only the operations count.
    packets = [p for p in packets if p["command"] in (101, 102, 103, 11, 12, 14)]
    steps = ["upload", "upload", "download", "download", "ranged download", "ranged download", "delete", "delete"]
    assert [p["command"] for p in packets] == [101, 11, 102, 14, 102, 14, 103, 12], packets
    vectors = {
        "client": "fastdfs-client 1.3.0 (PyPI)",
        "data": DATA.decode(),
        "fileId": file_id,
        "range": {"offset": 10, "length": 7},
        "packets": [{"step": step, **packet} for step, packet in zip(steps, packets)],
    }
    out = os.path.join(ROOT, "Tests/MallServerTests/Fixtures/fastdfs_vectors.json")
    with open(out, "w") as f:
        json.dump(vectors, f, indent=2)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
