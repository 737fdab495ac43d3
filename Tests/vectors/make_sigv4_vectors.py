#!/usr/bin/env python3
"""Signs fixed S3 requests with botocore and writes what it produced, so the Swift SigV4Signer
can be checked against the reference implementation byte for byte.

Output: Tests/MallServerTests/Fixtures/sigv4_vectors.json (committed; CI never runs this).

    python3 Tests/vectors/make_sigv4_vectors.py

botocore's S3SigV4Auth is the SigV4Auth subclass every S3 call of boto3 goes through: it signs
the payload hash into `X-Amz-Content-SHA256` and, unlike generic SigV4, uses the object path
exactly as sent (S3 keys are URI-encoded once, not twice). The path is encoded here with
botocore's own `percent_encode(key, safe='/~')`, which is how botocore puts S3 keys into URLs.
The clock is pinned by patching `botocore.auth.get_current_datetime`.
"""
import base64
import datetime
import json
import pathlib
from unittest import mock

import botocore
from botocore.auth import S3SigV4Auth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/MallServerTests/Fixtures/sigv4_vectors.json"
WHEN = datetime.datetime(2026, 11, 27, 2, 0, 0)

MOTO = dict(access_key="test", secret_key="test", region="us-east-1", endpoint="http://127.0.0.1:5000")
MINIO = dict(access_key="chainmall-app", secret_key="s3cr3t/with+odd=chars", region="cn-east-1",
             endpoint="https://files.example.com:9000")

CASES = [
    dict(name="put object with body", account=MOTO, method="PUT", path="/chainmall-test/img/abc123.png",
         headers=[("Content-Type", "image/png")], body=bytes(range(256)) * 3),
    dict(name="get object", account=MOTO, method="GET", path="/chainmall-test/img/abc123.png"),
    dict(name="delete object", account=MOTO, method="DELETE", path="/chainmall-test/img/abc123.png"),
    dict(name="create bucket", account=MOTO, method="PUT", path="/chainmall-test", body=b""),
    dict(name="key with spaces and Chinese", account=MINIO, method="PUT", path="/media/商品 图片/春季 新品 (1).jpg",
         headers=[("Content-Type", "image/jpeg")], body="不是真的图片".encode()),
    dict(name="key with reserved characters", account=MINIO, method="GET",
         path="/media/a+b=c&d;e,f:g@h$i!j'k*l~m_n.o-p/%41/[x]#?.txt"),
    dict(name="list with query parameters", account=MINIO, method="GET", path="/media",
         query=[("list-type", "2"), ("prefix", "img/春 季"), ("max-keys", "10"), ("delimiter", "/"),
                ("continuation-token", "a+b/c=="), ("fetch-owner", "true")]),
    dict(name="repeated and empty query keys", account=MINIO, method="POST", path="/media/big.bin",
         query=[("uploads", ""), ("b", "2"), ("a", "z"), ("a", "y"), ("A", "1"), ("~x", "Ω")]),
    dict(name="headers folded and trimmed", account=MINIO, method="PUT", path="/media/notes.txt",
         headers=[("Content-Type", "text/plain; charset=utf-8"), ("X-Amz-Meta-Note", "  two   spaces\tand tab  "),
                  ("Cache-Control", "public, max-age=31536000, immutable"), ("User-Agent", "not signed/1.0")],
         body=b"hello"),
    dict(name="default https port is left out of host", account=dict(MINIO, endpoint="https://files.example.com:443"),
         method="GET", path="/media/x.webp"),
    # The published example from the S3 documentation ("Signature Calculations for the
    # Authorization Header: Transferring Payload in a Single Chunk", GET Object):
    # expected signature f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41.
    dict(name="AWS documentation GET object example",
         account=dict(access_key="AKIAIOSFODNN7EXAMPLE", secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                      region="us-east-1", endpoint="https://examplebucket.s3.amazonaws.com"),
         method="GET", path="/test.txt", headers=[("Range", "bytes=0-9")], when=datetime.datetime(2013, 5, 24, 0, 0, 0)),
]


class RecordingS3SigV4Auth(S3SigV4Auth):
    """Keeps the intermediate strings add_auth computes so they can be compared too."""

    def canonical_request(self, request):
        self.recorded_canonical_request = super().canonical_request(request)
        return self.recorded_canonical_request

    def string_to_sign(self, request, canonical_request):
        self.recorded_string_to_sign = super().string_to_sign(request, canonical_request)
        return self.recorded_string_to_sign


def sign(case):
    account = case["account"]
    url = account["endpoint"] + percent_encode(case["path"], safe="/~")
    body = case.get("body")
    request = AWSRequest(method=case["method"], url=url, headers=dict(case.get("headers", [])),
                         params=list(case.get("query", [])), data=body)
    auth = RecordingS3SigV4Auth(Credentials(account["access_key"], account["secret_key"]), "s3", account["region"])
    when = case.get("when", WHEN)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        auth.add_auth(request)
    scheme, _, rest = account["endpoint"].partition("://")
    return {
        "name": case["name"],
        "accessKey": account["access_key"],
        "secretKey": account["secret_key"],
        "region": account["region"],
        "service": "s3",
        "date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": case["method"],
        "host": _host_from_url(url),
        "path": case["path"],
        "query": [list(pair) for pair in case.get("query", [])],
        "headers": [list(pair) for pair in case.get("headers", [])],
        "bodyBase64": base64.b64encode(body or b"").decode(),
        "expected": {
            "url": url,
            "canonicalRequest": auth.recorded_canonical_request,
            "stringToSign": auth.recorded_string_to_sign,
            "amzDate": request.headers["X-Amz-Date"],
            "contentSHA256": request.headers["X-Amz-Content-SHA256"],
            "authorization": request.headers["Authorization"],
        },
    }


def main():
    vectors = [sign(case) for case in CASES]
    document = {"generator": f"Tests/vectors/make_sigv4_vectors.py, botocore {botocore.__version__} S3SigV4Auth",
                "vectors": vectors}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    documented = vectors[-1]["expected"]["authorization"]
    assert documented.endswith("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"), documented
    print(f"wrote {len(vectors)} vectors to {OUT}")


if __name__ == "__main__":
    main()
