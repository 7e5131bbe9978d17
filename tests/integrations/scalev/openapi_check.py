"""Validate requests the client sends, and answers the sandbox serves, against the current public spec
shared/reference/scalev/openapi.json (OpenAPI 3.0.3): method, path template, query parameters (names,
types, enums, maxima), JSON bodies and 2xx response bodies. OpenAPI 3.0 schemas are turned into JSON
Schema (Draft 7) with every $ref inlined and `nullable: true` as "or null"."""

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import jsonschema

# A verbatim copy of shared/reference/scalev/openapi.json, kept beside the tests like the other samples.
SPEC_PATH = Path(__file__).with_name("openapi.json")
METHODS = ("get", "put", "post", "patch", "delete")


@cache
def spec() -> dict:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def _resolve(ref: str) -> dict:
    node = spec()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def to_json_schema(node, depth: int = 0):
    """OpenAPI 3.0 schema -> JSON Schema with $refs inlined (depth-limited) and nullable handled."""
    if depth > 40:
        return {}
    if isinstance(node, list):
        return [to_json_schema(item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return to_json_schema(_resolve(node["$ref"]), depth + 1)
    out = {}
    for key, value in node.items():
        if key in ("nullable", "example", "examples", "discriminator", "xml", "externalDocs", "deprecated"):
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub, depth + 1) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = to_json_schema(value, depth + 1)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub, depth + 1) for sub in value]
        else:
            out[key] = value
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _template_regex(template: str) -> re.Pattern:
    pattern = re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile(f"^{pattern}$")


def find_operation(method: str, path: str) -> tuple[str, dict, dict]:
    """(path template, operation, path params) for a concrete path; literal segments win."""
    candidates = []
    for template, item in spec()["paths"].items():
        match = _template_regex(template).match(path)
        if match and method.lower() in item:
            candidates.append((template.count("{"), template, item, match.groupdict()))
    assert candidates, f"{method} {path} is not an operation of the spec"
    candidates.sort(key=lambda c: c[0])
    _, template, item, params = candidates[0]
    return template, item, params


def _parameters(item: dict, operation: dict) -> dict[tuple[str, str], dict]:
    params = {}
    for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
        param = _resolve(raw["$ref"]) if "$ref" in raw else raw
        params[(param["in"], param["name"])] = param
    return params


def _coerce(value: str, schema: dict):
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


def validate_request(method: str, url: str, *, base_path: str = "", body=None) -> str:
    """Assert that one request is valid against the spec; return the matched path template."""
    parts = urlsplit(url)
    path = parts.path[len(base_path):] if base_path and parts.path.startswith(base_path) else parts.path
    template, item, path_params = find_operation(method, path)
    operation = item[method.lower()]
    declared = _parameters(item, operation)
    where = f"{method} {template}"
    for name, value in path_params.items():
        param = declared.get(("path", name))
        assert param, f"{where}: path parameter {name} not declared"
        jsonschema.validate(value, to_json_schema(param.get("schema", {})))
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [name for name, _ in query]
    assert len(names) == len(set(names)), f"{where}: repeated query parameters {names}"
    for name, value in query:
        param = declared.get(("query", name))
        assert param, f"{where}: query parameter {name!r} is not in the spec"
        schema = to_json_schema(param.get("schema", {}))
        try:
            jsonschema.validate(_coerce(value, schema), schema)
        except jsonschema.ValidationError as exc:
            raise AssertionError(f"{where}: query {name}={value!r}: {exc.message}") from exc
    for (place, name), param in declared.items():
        if place == "query" and param.get("required"):
            assert name in names, f"{where}: required query parameter {name} missing"
    request_body = operation.get("requestBody")
    if request_body and "$ref" in request_body:
        request_body = _resolve(request_body["$ref"])
    if body is None:
        assert not (request_body and request_body.get("required")), f"{where}: body required"
    else:
        assert request_body, f"{where}: the spec has no request body, the client sent one"
        schema = to_json_schema(request_body["content"]["application/json"]["schema"])
        try:
            jsonschema.validate(body, schema)
        except jsonschema.ValidationError as exc:
            raise AssertionError(f"{where}: body invalid at {list(exc.absolute_path)}: {exc.message}") from exc
    return template


def validate_response(method: str, path: str, status: int, body) -> None:
    """Assert that a sandbox answer matches the spec's response schema for that status."""
    template, item, _ = find_operation(method, path)
    responses = item[method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template}: status {status} not documented"
    response = responses[str(status)]
    if "$ref" in response:
        response = _resolve(response["$ref"])
    content = response.get("content", {}).get("application/json")
    if content is None:
        assert body in (None, b"", ""), f"{method} {template}: {status} documents no body"
        return
    try:
        jsonschema.validate(body, to_json_schema(content["schema"]))
    except jsonschema.ValidationError as exc:
        raise AssertionError(f"{method} {template} {status}: invalid at {list(exc.absolute_path)}: "
                             f"{exc.message[:300]}") from exc
