#!/usr/bin/env python3
"""Checks that every number a client can send has a documented range in openapi.yaml.

Walks every operation's parameters (path-level and operation-level, query/path/header/cookie)
and request bodies (JSON, form-urlencoded and multipart), following $ref, and lists each
numeric input (a schema whose type is or includes `integer` or `number`) that lacks a lower
bound (`minimum` / `exclusiveMinimum`) or an upper bound (`maximum` / `exclusiveMaximum`).
A `const` or an `enum` of numbers counts as both bounds. Bounds given beside a `$ref`, on an
enclosing schema or on any `allOf` member apply as well.

Exit status: 0 when every numeric input is bounded, 1 when some are not (each is listed),
2 when the document cannot be read.

Usage: check_openapi_ranges.py [path/to/openapi.yaml] [--list]
  --list  also print every numeric input with its range.

Needs Python 3 and PyYAML only.
"""

import os
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - environment problem, not a finding
    sys.stderr.write("PyYAML is required: pip install pyyaml\n")
    sys.exit(2)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NUMERIC_TYPES = {"integer", "number"}
NUMERIC_FORMATS = {"int32", "int64", "float", "double"}
LOWER_KEYS = ("minimum", "exclusiveMinimum")
UPPER_KEYS = ("maximum", "exclusiveMaximum")


def is_form_or_json(media_type):
    """Request bodies whose fields a client fills in: JSON (and +json) and HTML-style forms."""
    base = media_type.split(";", 1)[0].strip().lower()
    return (
        base == "application/json"
        or base.endswith("+json")
        or base == "application/x-www-form-urlencoded"
        or base == "multipart/form-data"
    )


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Checker:
    def __init__(self, document):
        self.doc = document
        self.findings = []  # (operation, field, message)
        self.inputs = []  # (operation, field, lower, upper)

    # -- references ---------------------------------------------------------

    def lookup(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("only local references are supported: %s" % ref)
        node = self.doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[part]
        return node

    def flatten(self, schema, seen=()):
        """The schema as one dict, following $ref. Keywords beside a $ref (allowed in 3.1)
        apply together with the target's: the tighter bound of the two is kept, and other
        sibling keywords (a description, say) override. Returns (dict, refs followed)."""
        if not isinstance(schema, dict):
            return {}, seen
        if "$ref" not in schema:
            return schema, seen
        ref = schema["$ref"]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        if ref in seen:  # a cycle: stop following it
            return siblings, seen
        target, seen = self.flatten(self.lookup(ref), seen + (ref,))
        if not siblings:
            return target, seen
        merged = dict(target)
        for key, value in siblings.items():
            if key in merged and is_number(value) and is_number(merged[key]):
                if key in LOWER_KEYS:
                    value = max(value, merged[key])
                elif key in UPPER_KEYS:
                    value = min(value, merged[key])
            merged[key] = value
        return merged, seen

    # -- bounds and types ---------------------------------------------------

    def types(self, schema, seen):
        """Declared types of a schema, including those its allOf members declare."""
        found = set()
        declared = schema.get("type")
        if isinstance(declared, str):
            found.add(declared)
        elif isinstance(declared, list):
            found.update(t for t in declared if isinstance(t, str))
        elif declared is None and schema.get("format") in NUMERIC_FORMATS:
            found.add("number")
        for member in schema.get("allOf", []) or []:
            flat, member_seen = self.flatten(member, seen)
            found |= self.types(flat, member_seen)
        return found

    def bounds(self, schema, seen):
        """(lower, upper) stated on the schema itself or on any allOf member; None when absent."""
        lower = upper = None
        if "const" in schema and is_number(schema["const"]):
            lower = upper = schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            numbers = [v for v in enum if is_number(v)]
            if numbers and all(is_number(v) or v is None for v in enum):
                lower, upper = min(numbers), max(numbers)
        for key in LOWER_KEYS:
            if is_number(schema.get(key)):
                lower = schema[key] if lower is None else max(lower, schema[key])
        for key in UPPER_KEYS:
            if is_number(schema.get(key)):
                upper = schema[key] if upper is None else min(upper, schema[key])
        for member in schema.get("allOf", []) or []:
            flat, member_seen = self.flatten(member, seen)
            member_lower, member_upper = self.bounds(flat, member_seen)
            if member_lower is not None:
                lower = member_lower if lower is None else max(lower, member_lower)
            if member_upper is not None:
                upper = member_upper if upper is None else min(upper, member_upper)
        return lower, upper

    # -- walking ------------------------------------------------------------

    def walk(self, schema, operation, field, inherited=(None, None), seen=(), depth=0):
        if depth > 64 or not isinstance(schema, dict):
            return
        flat, seen = self.flatten(schema, seen)
        lower, upper = self.bounds(flat, seen)
        if lower is None:
            lower = inherited[0]
        if upper is None:
            upper = inherited[1]

        types = self.types(flat, seen)
        branches = [b for key in ("oneOf", "anyOf") for b in (flat.get(key) or [])]
        if types & NUMERIC_TYPES:
            if branches:
                # Each alternative may narrow the range; walk them with ours as the default.
                for index, branch in enumerate(branches):
                    self.walk_branch(branch, operation, field, (lower, upper), seen, depth, index, numeric_parent=True)
            else:
                self.record(operation, field, lower, upper)
        elif branches:
            for index, branch in enumerate(branches):
                self.walk_branch(branch, operation, field, (lower, upper), seen, depth, index, numeric_parent=False)

        for member in flat.get("allOf", []) or []:
            member_flat, member_seen = self.flatten(member, seen)
            # A member's type and bounds were folded in above; walk what lies inside it.
            for index, branch in enumerate([b for key in ("oneOf", "anyOf") for b in (member_flat.get(key) or [])]):
                self.walk_branch(branch, operation, field, (lower, upper), member_seen, depth, index,
                                 numeric_parent=bool(types & NUMERIC_TYPES))
            self.walk_structure(member_flat, operation, field, member_seen, depth)
        self.walk_structure(flat, operation, field, seen, depth)

    def walk_branch(self, branch, operation, field, inherited, seen, depth, index, numeric_parent):
        field = "%s<%d>" % (field, index)  # which alternative of a oneOf/anyOf
        flat, branch_seen = self.flatten(branch, seen)
        branch_types = self.types(flat, branch_seen)
        if not branch_types and numeric_parent:
            lower, upper = self.bounds(flat, branch_seen)
            self.record(operation, field,
                        inherited[0] if lower is None else lower,
                        inherited[1] if upper is None else upper)
            return
        self.walk(branch, operation, field, inherited, seen, depth + 1)

    def walk_structure(self, schema, operation, field, seen, depth):
        for name, sub in (schema.get("properties") or {}).items():
            self.walk(sub, operation, "%s.%s" % (field, name), seen=seen, depth=depth + 1)
        for pattern, sub in (schema.get("patternProperties") or {}).items():
            self.walk(sub, operation, "%s{%s}" % (field, pattern), seen=seen, depth=depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            self.walk(extra, operation, field + "{*}", seen=seen, depth=depth + 1)
        items = schema.get("items")
        if isinstance(items, dict):
            self.walk(items, operation, field + "[]", seen=seen, depth=depth + 1)
        elif isinstance(items, list):  # pre-2020-12 tuple form
            for index, sub in enumerate(items):
                self.walk(sub, operation, "%s[%d]" % (field, index), seen=seen, depth=depth + 1)
        for index, sub in enumerate(schema.get("prefixItems") or []):
            self.walk(sub, operation, "%s[%d]" % (field, index), seen=seen, depth=depth + 1)
        for key in ("if", "then", "else"):
            if isinstance(schema.get(key), dict):
                self.walk(schema[key], operation, "%s(%s)" % (field, key), seen=seen, depth=depth + 1)
        for sub in (schema.get("dependentSchemas") or {}).values():
            self.walk(sub, operation, field, seen=seen, depth=depth + 1)

    def record(self, operation, field, lower, upper):
        self.inputs.append((operation, field, lower, upper))
        missing = []
        if lower is None:
            missing.append("minimum")
        if upper is None:
            missing.append("maximum")
        if missing:
            self.findings.append((operation, field, "no " + " or ".join(missing)))

    # -- operations ---------------------------------------------------------

    def run(self):
        for path, item in (self.doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            if "$ref" in item:
                item = self.lookup(item["$ref"])
            shared = item.get("parameters") or []
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                name = "%s %s" % (method.upper(), path)
                self.check_parameters(name, shared, operation.get("parameters") or [])
                body = operation.get("requestBody")
                if body is not None:
                    self.check_body(name, body)

    def check_parameters(self, name, shared, own):
        merged = {}
        for raw in list(shared) + list(own):  # operation-level wins over path-level
            parameter, _ = self.flatten(raw)
            key = (parameter.get("in"), parameter.get("name"))
            merged[key] = parameter
        for (location, param_name), parameter in merged.items():
            field = "%s:%s" % (location, param_name)
            if "schema" in parameter:
                self.walk(parameter["schema"], name, field)
            for media_type, content in (parameter.get("content") or {}).items():
                if isinstance(content, dict) and "schema" in content:
                    self.walk(content["schema"], name, "%s(%s)" % (field, media_type))

    def check_body(self, name, body):
        body, _ = self.flatten(body)
        for media_type, content in (body.get("content") or {}).items():
            if not is_form_or_json(media_type) or not isinstance(content, dict):
                continue
            if "schema" in content:
                self.walk(content["schema"], name, "body(%s)" % media_type.split(";", 1)[0].strip())


def fmt(value):
    return "-" if value is None else str(value)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = {a for a in argv[1:] if a.startswith("--")}
    unknown = flags - {"--list"}
    if unknown or len(args) > 1:
        sys.stderr.write(__doc__)
        return 2
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "openapi.yaml")
    path = args[0] if args else default
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        sys.stderr.write("cannot read %s: %s\n" % (path, error))
        return 2

    checker = Checker(document)
    try:
        checker.run()
    except (KeyError, ValueError) as error:
        sys.stderr.write("cannot resolve a reference in %s: %s\n" % (path, error))
        return 2

    if "--list" in flags:
        for operation, field, lower, upper in checker.inputs:
            print("%-70s %-45s %s..%s" % (operation, field, fmt(lower), fmt(upper)))
        print()

    if checker.findings:
        print("%d numeric input(s) without a documented range:" % len(checker.findings))
        for operation, field, message in checker.findings:
            print("  %s  %s: %s" % (operation, field, message))
        return 1
    print("OK: all %d numeric inputs have a minimum and a maximum." % len(checker.inputs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
