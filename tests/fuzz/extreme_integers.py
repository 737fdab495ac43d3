#!/usr/bin/env python3
"""Sends extreme numbers to every numeric input of every operation in openapi.yaml, one at a time.

For each operation, each numeric query/path/header parameter (and each string parameter whose
pattern allows digits only, such as a timestamp header) and each numeric field of a JSON request
body (nested objects, array items, oneOf/anyOf branches), a baseline request is built that looks
valid: required parameters and fields filled from the schema's const/enum/examples/default/minimum,
ids taken from the demo server (fixture.json from seed.py) where the name says what they are, else
random UUIDs. Then it is sent once per value in

    -9223372036854775808  9223372036854775807  9223372036854775808
    18446744073709551616  1e308  -1

with only that input replaced: as a JSON number literal in a body, as text in a query string,
path or header. The whole pass runs once per identity in --as (default anonymous,admin; the
fixture holds the admin's and the demo member's tokens).

A request fails when
  - the answer is a 5xx;
  - no answer comes (connection refused or reset, or nothing within --timeout: a hang);
  - a 4xx is not an RFC 9457 problem document (application/problem+json), unless the operation
    documents another format for that status (the payment providers' and Kuaidi100's callbacks);
and the run stops as soon as /healthz no longer answers (checked after every operation).
Out-of-range values that are accepted (2xx although outside the documented minimum..maximum) are
listed as warnings (after trying the body's other enum values, such as a `mode`, in case the field
only applies in one of them); --strict makes them failures too.

Every failure is printed with the method, URL, identity, request headers and body, and the
response status, content type and body.

Usage: extreme_integers.py BASE_URL [--fixture FILE] [--spec openapi.yaml] [--as anonymous,member,admin]
                           [--timeout SECONDS] [--strict] [--only REGEX] [--verbose] [--check-baselines]
--check-baselines sends each baseline once, without an extreme value, and prints the answers:
a baseline that is refused for another reason tests less than it should.
Without --fixture the demo fixture is built here (signs in, reads and creates ids).
Exit status: 0 when nothing failed, 1 when something did, 2 on a usage or setup error.
Standard library and PyYAML only.
"""

import argparse
import copy
import datetime
import json
import os
import random
import re
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fuzzlib  # noqa: E402

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.stderr.write("PyYAML is required: pip install pyyaml\n")
    sys.exit(2)
import check_openapi_ranges as ranges  # noqa: E402  ($ref resolution, types and bounds)

EXTREMES = [
    "-9223372036854775808",  # -2^63
    "9223372036854775807",  # 2^63 - 1
    "9223372036854775808",  # 2^63
    "18446744073709551616",  # 2^64
    "1e308",
    "-1",
]
METHODS = ("get", "put", "post", "delete", "patch")
SENTINEL = "\u0000extreme\u0000"
DIGITS_PATTERNS = {r"^[0-9]+$", r"^\d+$", r"^[0-9]*$", r"^\d*$", r"^-?[0-9]+$", r"^-?\d+$"}


def extreme_value(text):
    return float(text) if "e" in text else int(text)


# -- schema walking ------------------------------------------------------------------------------


class Spec:
    def __init__(self, document):
        self.doc = document
        self.checker = ranges.Checker(document)

    def flat(self, schema):
        flat, _ = self.checker.flatten(schema)
        return flat if isinstance(flat, dict) else {}

    def types(self, schema):
        return self.checker.types(schema, ())

    def bounds(self, schema):
        return self.checker.bounds(schema, ())

    def is_numeric(self, schema):
        return bool(self.types(schema) & ranges.NUMERIC_TYPES)

    def is_digit_string(self, schema):
        return "string" in self.types(schema) and schema.get("pattern") in DIGITS_PATTERNS

    def branches(self, schema):
        return [b for key in ("oneOf", "anyOf") for b in (schema.get(key) or [])]

    def merged(self, schema, depth=0):
        """The schema with its allOf members folded in (properties and required merged)."""
        flat = dict(self.flat(schema))
        members = flat.pop("allOf", None) or []
        if not members or depth > 16:
            return flat
        properties = dict(flat.get("properties") or {})
        required = list(flat.get("required") or [])
        for member in members:
            inner = self.merged(member, depth + 1)
            for key, value in inner.items():
                if key == "properties":
                    for name, sub in value.items():
                        properties.setdefault(name, sub)
                elif key == "required":
                    required.extend(r for r in value if r not in required)
                elif key not in flat:
                    flat[key] = value
        if properties:
            flat["properties"] = properties
        if required:
            flat["required"] = required
        return flat

    def numeric_targets(self, schema, steps=(), depth=0):
        """Yields (steps, leaf schema) for every numeric leaf; steps: ('key', name), ('item',), ('branch', i)."""
        if depth > 24:
            return
        flat = self.merged(schema)
        branches = self.branches(flat)
        if self.is_numeric(flat) and not branches:
            yield steps, flat
            return
        if self.is_numeric(flat) and branches:
            # A numeric schema narrowed by alternatives: the leaf is here, whichever branch.
            yield steps, flat
            return
        for index, branch in enumerate(branches):
            yield from self.numeric_targets(branch, steps + (("branch", index),), depth + 1)
        for name, sub in (flat.get("properties") or {}).items():
            yield from self.numeric_targets(sub, steps + (("key", name),), depth + 1)
        extra = flat.get("additionalProperties")
        if isinstance(extra, dict) and not flat.get("properties"):
            yield from self.numeric_targets(extra, steps + (("key", "x"),), depth + 1)
        items = flat.get("items")
        if isinstance(items, dict):
            yield from self.numeric_targets(items, steps + (("item",),), depth + 1)


def describe(steps):
    text = "body"
    for step in steps:
        if step[0] == "key":
            text += "." + step[1]
        elif step[0] == "item":
            text += "[0]"
        else:
            text += "<%d>" % step[1]
    return text


# -- baseline values -------------------------------------------------------------------------------


class Baseline:
    """Builds valid-looking values from schemas, with real ids where a name says what they are."""

    NAME_IDS = {
        "fromStoreId": ("storeId", 0),
        "toStoreId": ("storeId", 1),
        "parentId": ("categoryId", 0),
        "managerStaffId": ("staffId", 0),
        "actorStaffId": ("staffId", 0),
    }
    # Arrays left empty unless the target is inside: a product's selling dimensions (one SKU then).
    EMPTY_ARRAYS = {"specs"}
    # Optional fields filled in anyway when their object is built: the other half of a pair, the
    # SKU a stock line names (skuId, barcode or skuCode: one is needed).
    COMPANIONS = {"lat": "lng", "lng": "lat", "latitude": "longitude", "longitude": "latitude"}
    ALWAYS = ("skuId", "merchantId")
    NAME_NUMBERS = {"lat": 31.2304, "lng": 121.4737, "latitude": 31.2304, "longitude": 121.4737}
    NAME_TEXT = {
        "mobile": "13800138000",
        "phone": "13800138000",
        "contactPhone": "13800138000",
        "password": "Fuzz@2026abc",
        "province": "上海市",
        "city": "上海市",
        "district": "静安区",
        "carrier": "sf",
        "trackingNumber": "SF1400000001",
        "currency": "CNY",
        "timeZone": "Asia/Shanghai",
    }

    def __init__(self, spec, fixture):
        self.spec = spec
        self.overrides = {}  # property name -> value, to try other modes (enum values) of a body
        self.seen_enums = {}  # property name -> enum values met by the last build
        self.ids = dict(fixture.get("ids") or {})
        if fixture.get("orderLineIds"):
            self.ids["orderLineId"] = fixture["orderLineIds"]
        self.primary = dict(fixture.get("primary") or {})

    def real_id(self, name):
        if name in self.primary:
            return self.primary[name]
        kind, index = self.NAME_IDS.get(name, (name, 0))
        values = self.ids.get(kind) or []
        if values:
            return values[min(index, len(values) - 1)]
        return None

    def string(self, schema, name):
        for key in ("const",):
            if isinstance(schema.get(key), str):
                return schema[key]
        if schema.get("enum"):
            choices = [v for v in schema["enum"] if v is not None]
            self.seen_enums[name] = choices
            if name in self.overrides and self.overrides[name] in choices:
                return self.overrides[name]
            return choices[0] if choices else None
        examples = schema.get("examples")
        if isinstance(examples, list) and examples and isinstance(examples[0], str):
            return examples[0]
        if isinstance(schema.get("example"), str):
            return schema["example"]
        if isinstance(schema.get("default"), str):
            return schema["default"]
        fmt = schema.get("format")
        tag = uuid.uuid4().hex[:8]
        if fmt == "uuid":
            return self.real_id(name) or str(uuid.uuid4()).upper()
        if fmt == "date-time":
            moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)
            return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return datetime.date.today().isoformat()
        if fmt == "email":
            return "fuzz.%s@example.com" % tag
        if fmt in ("uri", "url"):
            return "https://example.com/%s.png" % tag
        if name in self.NAME_TEXT:
            text = self.NAME_TEXT[name]
        elif name == "code" or name.endswith("Code"):
            text = "fz" + tag
        elif name in self.ids and self.ids[name]:
            text = self.ids[name][0]
        else:
            text = "fuzz " + tag
        pattern = schema.get("pattern")
        if pattern:
            for candidate in (text, "08:00-22:00", "fz" + tag, tag, "1", "A1"):
                try:
                    if re.search(pattern, candidate):
                        text = candidate
                        break
                except re.error:
                    break
        low, high = schema.get("minLength"), schema.get("maxLength")
        if isinstance(low, int) and len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    def number(self, schema, integer, name=""):
        if name in self.NAME_NUMBERS:
            return self.NAME_NUMBERS[name]
        for key in ("const", "default", "example"):
            if ranges.is_number(schema.get(key)):
                return schema[key]
        if schema.get("enum"):
            numbers = [v for v in schema["enum"] if ranges.is_number(v)]
            if numbers:
                return numbers[0]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples and ranges.is_number(examples[0]):
            return examples[0]
        low, high = self.spec.bounds(schema)
        value = 1  # a small count or amount, when the range allows it
        if low is not None and (low > 1 or (high is not None and high < 1)):
            value = low
            if ranges.is_number(schema.get("exclusiveMinimum")) and value == schema["exclusiveMinimum"]:
                value = value + 1 if integer else value + 0.5
        if high is not None and value > high:
            value = high
        return int(value) if integer else value

    def build(self, schema, name="", target=(), depth=0):
        """A value for schema; `target` steers oneOf/anyOf choices and keeps optional fields on its path."""
        if depth > 24:
            return None
        flat = self.spec.merged(schema)
        branches = self.spec.branches(flat)
        if branches and not self.spec.is_numeric(flat):
            index = 0
            if target and target[0][0] == "branch":
                index, target = target[0][1], target[1:]
            else:
                for i, branch in enumerate(branches):  # prefer a branch that is not just null
                    if self.spec.types(self.spec.flat(branch)) != {"null"}:
                        index = i
                        break
            chosen = self.spec.merged(branches[index])
            base = {k: v for k, v in flat.items() if k not in ("oneOf", "anyOf")}
            for key, value in chosen.items():
                if key == "properties":
                    base["properties"] = dict(base.get("properties") or {}, **value)
                elif key == "required":
                    base["required"] = list(base.get("required") or []) + list(value)
                else:
                    base[key] = value
            flat = base
        types = self.spec.types(flat) - {"null"}
        if not types:
            if "properties" in flat:
                types = {"object"}
            elif "items" in flat:
                types = {"array"}
        if "const" in flat:
            return copy.deepcopy(flat["const"])
        if "object" in types:
            result = {}
            properties = flat.get("properties") or {}
            wanted = list(flat.get("required") or [])
            if target and target[0][0] == "key" and target[0][1] not in wanted:
                wanted.append(target[0][1])
            for prop in list(wanted) + list(self.ALWAYS):
                for extra in ([self.COMPANIONS[prop]] if prop in self.COMPANIONS else []) + (
                        [prop] if prop in self.ALWAYS else []):
                    if extra in properties and extra not in wanted:
                        wanted.append(extra)
            for prop in wanted:
                sub_target = target[1:] if target and target[0] == ("key", prop) else ()
                if prop in properties:
                    result[prop] = self.build(properties[prop], prop, sub_target, depth + 1)
                elif isinstance(flat.get("additionalProperties"), dict):
                    result[prop] = self.build(flat["additionalProperties"], prop, sub_target, depth + 1)
                else:
                    result[prop] = "fuzz"
            minimum = flat.get("minProperties") or 0
            for prop, sub in properties.items():
                if len(result) >= minimum:
                    break
                result.setdefault(prop, self.build(sub, prop, (), depth + 1))
            return result
        if "array" in types:
            items = flat.get("items") if isinstance(flat.get("items"), dict) else {}
            sub_target = target[1:] if target and target[0] == ("item",) else ()
            count = max(1, flat.get("minItems") or 0)
            if name in self.EMPTY_ARRAYS and not sub_target and not target:
                count = flat.get("minItems") or 0
            values = [self.build(items, name, sub_target if i == 0 else (), depth + 1) for i in range(count)]
            item_flat = self.spec.merged(items)
            if count > 1 and item_flat.get("enum"):
                values = list(item_flat["enum"][:count])
            return values
        if "integer" in types:
            return self.number(flat, True, name)
        if "number" in types:
            return self.number(flat, False, name)
        if "boolean" in types:
            return flat.get("default", False) if isinstance(flat.get("default"), bool) else False
        if "string" in types:
            return self.string(flat, name)
        return None


def put(value, steps, replacement):
    """Sets the value at steps (a path built alongside) and returns the new root."""
    if not steps:
        return replacement
    step = steps[0]
    if step[0] == "branch":
        return put(value, steps[1:], replacement)
    if step[0] == "key":
        if not isinstance(value, dict):
            value = {}
        value[step[1]] = put(value.get(step[1]), steps[1:], replacement)
        return value
    if not isinstance(value, list) or not value:
        value = [None]
    value[0] = put(value[0], steps[1:], replacement)
    return value


# -- the operations --------------------------------------------------------------------------------


class Operation:
    def __init__(self, spec, path, method, item, operation):
        self.spec, self.path, self.method = spec, path, method.upper()
        self.operation = operation
        merged = {}
        for raw in list(item.get("parameters") or []) + list(operation.get("parameters") or []):
            parameter = spec.flat(raw)
            merged[(parameter.get("in"), parameter.get("name"))] = parameter
        self.parameters = list(merged.values())
        body = spec.flat(operation.get("requestBody") or {})
        self.body_required = bool(body.get("required"))
        content = body.get("content") or {}
        self.json_body = None
        self.other_media = []
        for media, entry in content.items():
            base = media.split(";", 1)[0].strip().lower()
            if base == "application/json" or base.endswith("+json"):
                self.json_body = (entry or {}).get("schema") or {}
            else:
                self.other_media.append(base)
        self.security = operation.get("security")
        self.responses = operation.get("responses") or {}

    @property
    def label(self):
        return "%s %s" % (self.method, self.path)

    def targets(self):
        for parameter in self.parameters:
            schema = self.spec.merged(parameter.get("schema") or {})
            if parameter.get("in") in ("query", "path", "header") and (
                    self.spec.is_numeric(schema) or self.spec.is_digit_string(schema)):
                yield ("param", parameter["in"], parameter["name"]), schema
        if self.json_body is not None:
            for steps, leaf in self.spec.numeric_targets(self.json_body):
                yield ("body", steps), leaf

    def documented_formats(self, status):
        """Media types the document gives for this status (or its range, or default); None if undocumented."""
        for key in (str(status), "%dXX" % (status // 100), "default"):
            for candidate in (key, key.lower()):
                if candidate in self.responses:
                    response = self.spec.flat(self.responses[candidate])
                    return [m.split(";", 1)[0].strip().lower() for m in (response.get("content") or {})]
        return None


def out_of_range(schema, spec, text):
    value = extreme_value(text)
    low, high = spec.bounds(schema)
    if "integer" in spec.types(schema) and "number" not in spec.types(schema) and isinstance(value, float):
        return True  # 1e308 is not an integer a client may send... as far as the schema says it is
    if spec.is_digit_string(schema):
        return text.startswith("-") or "e" in text
    return (low is not None and value < low) or (high is not None and value > high)


class Runner:
    def __init__(self, client, spec, fixture, identities, strict, verbose, only):
        self.client, self.spec = client, spec
        self.fixture = fixture
        self.baseline = Baseline(spec, fixture)
        self.identities = identities
        self.strict, self.verbose = strict, verbose
        self.only = re.compile(only) if only else None
        self.failures = []
        self.accepted = []
        self.counts = {}
        self.sent = 0
        self.dead = False

    def token(self, identity):
        return {"anonymous": None, "member": self.fixture.get("memberToken"),
                "admin": self.fixture.get("adminToken")}[identity]

    def path_value(self, name, schema):
        real = self.baseline.real_id(name)
        if real:
            return real
        return str(self.baseline.build(schema, name))

    def request_for(self, op, target, text):
        """(url path, query dict, headers, raw body or None, shown body)."""
        path, query, headers = op.path, {}, {}
        for parameter in op.parameters:
            location, name = parameter.get("in"), parameter.get("name")
            schema = parameter.get("schema") or {}
            is_target = target[0] == "param" and target[1] == location and target[2] == name
            if location == "path":
                value = text if is_target else self.path_value(name, schema)
                path = path.replace("{%s}" % name, fuzzlib.urllib.parse.quote(str(value), safe=""))
            elif is_target:
                (query if location == "query" else headers)[name] = text
                companion = Baseline.COMPANIONS.get(name)
                if companion and location == "query" and companion not in query:
                    query[companion] = str(self.baseline.build({"type": "number"}, companion))
            elif parameter.get("required") and location in ("query", "header"):
                value = self.baseline.build(schema, name)
                if isinstance(value, bool):
                    value = "true" if value else "false"
                if name == "Idempotency-Key":
                    value = "fuzz-extreme-" + uuid.uuid4().hex
                (query if location == "query" else headers)[name] = str(value)
        raw = None
        if op.json_body is not None and (op.body_required or target[0] == "body"):
            steps = target[1] if target[0] == "body" else ()
            body = self.baseline.build(op.json_body, "", steps)
            if target[0] == "body":
                body = put(body, steps, SENTINEL)
            raw = json.dumps(body, ensure_ascii=False)
            if target[0] == "body":
                raw = raw.replace(json.dumps(SENTINEL), text)
        return path, query, headers, raw

    def record_failure(self, kind, op, identity, method, url, headers, raw, answer=None, error=None):
        entry = {"kind": kind, "operation": op.label, "identity": identity, "method": method, "url": url,
                 "headers": headers, "body": raw}
        if answer is not None:
            entry.update(status=answer.status, contentType=answer.headers.get("content-type", ""),
                         response=answer.text[:1500])
        if error is not None:
            entry["error"] = str(error)
        self.failures.append(entry)
        print_failure(entry, len(self.failures))

    def run(self):
        operations = []
        for path, item in (self.spec.doc.get("paths") or {}).items():
            if "$ref" in item:
                item = self.spec.checker.lookup(item["$ref"])
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    operations.append(Operation(self.spec, path, method, item, item[method]))
        targets_total = 0
        for identity in self.identities:
            token = self.token(identity)
            if identity != "anonymous" and not token:
                fuzzlib.log("no %s token in the fixture; skipping that identity" % identity)
                continue
            started = time.monotonic()
            for op in operations:
                if self.only and not self.only.search(op.label):
                    continue
                targets = list(op.targets())
                if identity == self.identities[0]:
                    targets_total += len(targets)
                for target, schema in targets:
                    field = ("%s:%s" % (target[1], target[2])) if target[0] == "param" else describe(target[1])
                    for text in EXTREMES:
                        if not self.send(op, identity, token, target, schema, field, text):
                            return targets_total
                if targets and not self.client.healthy(timeout=10):
                    fuzzlib.log("!! /healthz does not answer after %s as %s" % (op.label, identity))
                    self.dead = True
                    return targets_total
            fuzzlib.log("extreme integers as %-9s: %d requests in %.1fs"
                        % (identity, self.counts.get(identity, {}).get("sent", 0), time.monotonic() - started))
        return targets_total

    def exchange(self, op, identity, token, target, text, field):
        """Sends one request and checks the answer; returns (answer or None, url, raw) or False when the server is gone."""
        self.baseline.seen_enums = {}
        path, query, headers, raw = self.request_for(op, target, text)
        url = self.client.url(path, query)
        shown_headers = dict(headers)
        if token:
            shown_headers["Authorization"] = "Bearer <%s token>" % identity
        counts = self.counts.setdefault(identity, {"sent": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "no answer": 0})
        counts["sent"] += 1
        self.sent += 1
        try:
            answer = self.client.request(op.method, url, raw=raw, headers=headers, token=token)
        except fuzzlib.TransportError as error:
            counts["no answer"] += 1
            kind = "hang (no answer)" if error.kind == "timeout" else "no answer (connection %s)" % error.detail
            self.record_failure(kind, op, identity, op.method, url, shown_headers, raw, error=error)
            if not self.client.healthy(timeout=10):
                fuzzlib.log("!! /healthz does not answer: the server is down or stuck; stopping")
                self.dead = True
                return False
            return None, url, raw, shown_headers
        bucket = "%dxx" % (answer.status // 100)
        counts[bucket] = counts.get(bucket, 0) + 1
        if self.verbose:
            fuzzlib.log("%s %s %s [%s=%s] %s -> %d %s" % (identity, op.method, url, field, text, raw or "",
                                                          answer.status, answer.text[:200]))
        if answer.status >= 500:
            self.record_failure("server error %d" % answer.status, op, identity, op.method, url, shown_headers, raw, answer)
        elif answer.status >= 400:
            documented = op.documented_formats(answer.status)
            problem_expected = documented is None or not documented or "application/problem+json" in documented
            if problem_expected and answer.content_type != "application/problem+json":
                self.record_failure("error is not a problem document", op, identity, op.method, url,
                                    shown_headers, raw, answer)
        return answer, url, raw, shown_headers

    def send(self, op, identity, token, target, schema, field, text):
        self.baseline.overrides = {}
        outcome = self.exchange(op, identity, token, target, text, field)
        if outcome is False:
            return False
        answer, url, raw, shown_headers = outcome
        if answer is None or answer.status >= 400 or not out_of_range(schema, self.spec, text):
            return True
        # Accepted although out of range. The field may simply not apply in the mode the baseline
        # picked (a `mode` or `kind` enum): try the body's other enum values before calling it accepted.
        enums = dict(self.baseline.seen_enums)
        statuses = [answer.status]
        for name, choices in enums.items():
            for choice in choices[1:8]:
                self.baseline.overrides = {name: choice}
                again = self.exchange(op, identity, token, target, text, field)
                if again is False:
                    return False
                if again[0] is not None:
                    statuses.append(again[0].status)
                    if again[0].status < 400:
                        continue
                    self.baseline.overrides = {}
                    return True  # rejected where it applies
        self.baseline.overrides = {}
        entry = {"operation": op.label, "identity": identity, "field": field, "value": text,
                 "status": answer.status, "method": op.method, "url": url, "body": raw,
                 "range": "%s..%s" % tuple("-" if b is None else b for b in self.spec.bounds(schema))}
        self.accepted.append(entry)
        if self.strict:
            self.record_failure("out-of-range value accepted (%s=%s, documented %s)" % (field, text, entry["range"]),
                                op, identity, op.method, url, shown_headers, raw, answer)
        return True

    def check_baselines(self):
        """Development aid: sends every target once with its baseline value and prints the status."""
        for path, item in (self.spec.doc.get("paths") or {}).items():
            for method in METHODS:
                if not isinstance(item.get(method), dict):
                    continue
                op = Operation(self.spec, path, method, item, item[method])
                if self.only and not self.only.search(op.label):
                    continue
                for target, schema in op.targets():
                    field = ("%s:%s" % (target[1], target[2])) if target[0] == "param" else describe(target[1])
                    text = json.dumps(self.baseline.build(schema, field.rsplit(".", 1)[-1]))
                    if text.startswith('"'):
                        text = json.loads(text)
                    for identity in self.identities:
                        outcome = self.exchange(op, identity, self.token(identity), target, text, field)
                        if outcome and outcome[0] is not None:
                            fuzzlib.log("%-4d %-9s %-70s %-40s %s | %s" % (outcome[0].status, identity, op.label, field,
                                                                  outcome[2] or "", outcome[0].text[:160]))


def print_failure(entry, number):
    lines = ["", "FAIL #%d: %s — %s as %s" % (number, entry["kind"], entry["operation"], entry["identity"]),
             "  request:  %s %s" % (entry["method"], entry["url"])]
    for name, value in (entry.get("headers") or {}).items():
        lines.append("  header:   %s: %s" % (name, value))
    if entry.get("body") is not None:
        lines.append("  body:     %s" % entry["body"])
    if "status" in entry:
        lines.append("  response: %s %s" % (entry["status"], entry["contentType"]))
        lines.append("  response body: %s" % entry["response"])
    if "error" in entry:
        lines.append("  error:    %s" % entry["error"])
    fuzzlib.log("\n".join(lines))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("--fixture")
    parser.add_argument("--spec", default=os.path.join(HERE, "..", "..", "openapi.yaml"))
    parser.add_argument("--as", dest="identities", default="anonymous,admin")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--only", help="regular expression on 'METHOD /path'")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--check-baselines", action="store_true",
                        help="send each baseline once (no extreme value) and print the answers")
    args = parser.parse_args(argv[1:])
    identities = [i.strip() for i in args.identities.split(",") if i.strip()]
    unknown = set(identities) - {"anonymous", "member", "admin"}
    if unknown:
        parser.error("unknown identity: %s" % ", ".join(sorted(unknown)))

    with open(args.spec, encoding="utf-8") as handle:
        spec = Spec(yaml.safe_load(handle))
    client = fuzzlib.Client(args.base_url, timeout=args.timeout)
    if not client.healthy():
        sys.stderr.write("%s/healthz does not answer 200\n" % args.base_url)
        return 2
    if args.fixture:
        with open(args.fixture, encoding="utf-8") as handle:
            fixture = json.load(handle)
    else:
        fixture = fuzzlib.Fixture(client).build().to_json()
    random.seed(0)

    runner = Runner(client, spec, fixture, identities, args.strict, args.verbose, args.only)
    if args.check_baselines:
        runner.check_baselines()
        return 0
    started = time.monotonic()
    targets = runner.run()
    elapsed = time.monotonic() - started

    print()
    print("== extreme integers: %d numeric inputs × %d values × %d identities, %d requests in %.1fs =="
          % (targets, len(EXTREMES), len(identities), runner.sent, elapsed))
    for identity, counts in runner.counts.items():
        print("  %-9s " % identity + ", ".join("%s %d" % (k, v) for k, v in counts.items()))
    if runner.accepted:
        by_field = {}
        for entry in runner.accepted:
            by_field.setdefault((entry["operation"], entry["field"], entry["range"]), []).append(
                "%s→%d as %s" % (entry["value"], entry["status"], entry["identity"]))
        print("  %d out-of-range value(s) accepted with 2xx/3xx (documented range ignored)%s:"
              % (len(runner.accepted), "" if args.strict else ", a warning"))
        for (operation, field, span), outcomes in sorted(by_field.items()):
            print("    %s  %s (documented %s): %s" % (operation, field, span, ", ".join(outcomes)))
    if runner.dead:
        print("  THE SERVER STOPPED ANSWERING /healthz")
    if runner.failures:
        kinds = {}
        for entry in runner.failures:
            kinds.setdefault(entry["kind"], set()).add(entry["operation"])
        print("  %d failure(s):" % len(runner.failures))
        for kind, ops in sorted(kinds.items()):
            print("    %s: %s" % (kind, ", ".join(sorted(ops))))
    print("extreme integers: %d passed, %d failed" % (runner.sent - len(runner.failures), len(runner.failures)))
    return 1 if runner.failures or runner.dead else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
