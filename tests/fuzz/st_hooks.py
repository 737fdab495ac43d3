"""Schemathesis extension for the fuzzing stage: the check `problem_details`.

Every error the API answers (4xx, 5xx) must be an RFC 9457 problem document: Content-Type
application/problem+json and a JSON object whose `status`, when present, is the HTTP status.
The exceptions are the callbacks that answer in their caller's own format (WeChat Pay, Alipay,
Kuaidi100): where openapi.yaml documents the status with media types none of which is
application/problem+json, that documented format is accepted instead.

response_schema_conformance alone does not cover this: it skips statuses an operation does not
document (a 415 or a 429 from middleware, say). Loaded by tests/fuzz/run through
SCHEMATHESIS_HOOKS=st_hooks (with this folder on PYTHONPATH) and enabled with
`--checks ...,problem_details`.
"""

import json
import os
import sys

import schemathesis
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_openapi_ranges as ranges  # noqa: E402  ($ref resolution)

SPEC_PATH = os.environ.get("FUZZ_OPENAPI", os.path.join(HERE, "..", "..", "openapi.yaml"))
with open(SPEC_PATH, encoding="utf-8") as _handle:
    _DOC = yaml.safe_load(_handle)
_CHECKER = ranges.Checker(_DOC)
PROBLEM = "application/problem+json"


def documented_media_types(method, path, status):
    """Media types openapi.yaml gives for this status (exact, range or default); None if undocumented."""
    item = (_DOC.get("paths") or {}).get(path) or {}
    operation = item.get(method.lower()) or {}
    responses = operation.get("responses") or {}
    for key in (str(status), "%dXX" % (status // 100), "%dxx" % (status // 100), "default"):
        if key in responses:
            response, _ = _CHECKER.flatten(responses[key])
            return [m.split(";", 1)[0].strip().lower() for m in (response.get("content") or {})]
    return None


@schemathesis.check
def problem_details(ctx, response, case):
    """Errors are RFC 9457 problem documents (application/problem+json), except documented callback formats."""
    status = response.status_code
    if status < 400:
        return None
    documented = documented_media_types(case.operation.method, case.operation.path, status)
    if documented and PROBLEM not in documented:
        return None  # a callback answering in its caller's format, as documented
    values = response.headers.get("content-type") or [""]
    content_type = (values[0] if isinstance(values, list) else values).split(";", 1)[0].strip().lower()
    if content_type != PROBLEM:
        raise AssertionError(
            "%d answered with Content-Type %r, not %s (RFC 9457 problem details)" % (status, content_type or "none", PROBLEM))
    try:
        body = json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise AssertionError("%d problem document is not JSON: %s" % (status, error))
    if not isinstance(body, dict):
        raise AssertionError("%d problem document is not a JSON object" % status)
    if "status" in body and body["status"] != status:
        raise AssertionError("problem document says status %r, the response is %d" % (body["status"], status))
    return None


@schemathesis.serializer("video/mp4", "video/webm", "application/pdf")
def attachment_file(ctx, value):
    """A product attachment's file part. Schemathesis has file samples for images only and picks
    one of the media types the upload's `encoding` lists; without this it gave up on the operation
    whenever it picked a video or a PDF. The server tells files by their magic bytes, so arbitrary
    bytes exercise its refusal."""
    if value is None:
        return None
    return value if isinstance(value, (bytes, bytearray)) else str(value).encode("utf-8")
