"""The API reference page, rendered from the OpenAPI document the service itself serves.

Used two ways:

- as an MkDocs hook (`hooks:` in `mkdocs.yml`): `on_files` adds the generated page `reference.md` to the
  site, so the reference can never drift from the code;
- by hand: `python docs/gen_api_reference.py [OUT.md]` prints the page (or writes it to `OUT.md`).

The app is built in-process on a throwaway SQLite file and `GET /v1/openapi.json` is fetched with Flask's
test client; nothing is served and no database is migrated (the document needs none).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

PAGE = "reference.md"
"""Where the generated page lives in the site (`docs/reference.md`, never written to disk by the hook)."""

METHODS = ("get", "post", "put", "patch", "delete")
SECRET = "x" * 40


def openapi_document() -> dict[str, Any]:
    """Build the app in-process and fetch its OpenAPI document."""
    import paypage  # the server side: imported late, so `--help`-like uses need no Flask

    with tempfile.TemporaryDirectory(prefix="inkasso-docs-") as tmp:
        app = paypage.create_app(
            {"data_dir": tmp, "database_url": f"sqlite:///{Path(tmp) / 'docs.sqlite3'}", "secret_key": SECRET}
        )
        try:
            response = app.test_client().get("/v1/openapi.json")
            if response.status_code != 200:
                raise RuntimeError(f"GET /v1/openapi.json answered {response.status_code}")
            document = response.get_json()
        finally:
            app.extensions["inkasso.db"].dispose()
    if not isinstance(document, dict):
        raise RuntimeError("GET /v1/openapi.json did not answer a JSON object")
    return document


# ---------------------------------------------------------------------------------------------- rendering


def _anchor(name: str) -> str:
    return f"schema-{name.lower()}"


def _cell(text: str) -> str:
    """Table-safe: no line breaks, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict[str, Any]) -> str:
    """A short Markdown description of a JSON schema: `string (date)`, `array of [Claim](#...)`, ..."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f"[`{name}`](#{_anchor(name)})"
    if "const" in schema:
        return f"`{schema['const']}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            parts = [type_of(option) for option in schema[combinator]]
            return (" and " if combinator == "allOf" else " or ").join(parts)
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(f"`{k}`" for k in kind)
    if kind == "array":
        return "array of " + type_of(schema.get("items", {}))
    if kind == "object":
        if _is_list_envelope(schema):
            return "list of " + type_of(schema["properties"]["data"]["items"])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return "object of " + type_of(extra)
        return "`object`"
    if kind is None:
        return "any"
    fmt = schema.get("format")
    return f"`{kind}` ({fmt})" if fmt else f"`{kind}`"


def _is_list_envelope(schema: dict[str, Any]) -> bool:
    properties = schema.get("properties", {})
    return bool(properties.get("object") == {"const": "list"} and properties.get("data", {}).get("type") == "array")


def _constraints(schema: dict[str, Any]) -> str:
    words = []
    for key, label in (
        ("minimum", "≥"),
        ("gt", ">"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("le", "≤"),
        ("exclusiveMaximum", "<"),
    ):
        if key in schema:
            words.append(f"{label} {schema[key]}")
    if "minLength" in schema or "maxLength" in schema:
        low, high = schema.get("minLength", 0), schema.get("maxLength", "…")
        words.append(f"length {low}" if low == high else f"length {low}-{high}")
    if "maxItems" in schema:
        words.append(f"at most {schema['maxItems']} items")
    if "default" in schema and schema["default"] is not None:
        words.append(f"default `{schema['default']}`")
    return "; ".join(words)


def _body_schema(content: dict[str, Any]) -> tuple[str, str]:
    """(media type, type description) of a request or response body."""
    media, spec = next(iter(content.items()))
    return media, type_of(spec.get("schema", {}))


def _operation(path: str, method: str, op: dict[str, Any], path_parameters: list[dict[str, Any]]) -> list[str]:
    lines = [f"### {op.get('summary', op.get('operationId', ''))}", ""]
    lines += [f"`{method.upper()} {path}`" + (f" · operation `{op['operationId']}`" if "operationId" in op else ""), ""]
    if op.get("description"):
        lines += [op["description"], ""]
    if op.get("security") == []:
        lines += ["No API key needed.", ""]

    parameters = path_parameters + op.get("parameters", [])
    if parameters:
        lines += ["| Parameter | In | Type | Required | Description |", "| --- | --- | --- | --- | --- |"]
        for parameter in parameters:
            schema = parameter.get("schema", {})
            description = parameter.get("description", "")
            constraints = _constraints(schema)
            if constraints:
                description = f"{description} ({constraints})" if description else constraints
            lines.append(
                f"| `{parameter['name']}` | {parameter['in']} | {_cell(type_of(schema))} | "
                f"{'yes' if parameter.get('required') else 'no'} | {_cell(description)} |"
            )
        lines.append("")

    body = op.get("requestBody")
    if body and body.get("content"):
        media, kind = _body_schema(body["content"])
        lines += [f"**Request body** (`{media}`{', required' if body.get('required') else ''}): {kind}", ""]

    responses = op.get("responses", {})
    successes = {code: r for code, r in responses.items() if code.startswith("2")}
    errors = {code: r for code, r in responses.items() if not code.startswith("2")}
    for code, response in sorted(successes.items()):
        if response.get("content"):
            media, kind = _body_schema(response["content"])
            lines += [f"**Answer** `{code}` (`{media}`): {kind}", ""]
        else:
            lines += [f"**Answer** `{code}`: {response.get('description', '')}", ""]
    if errors:
        lines += ["| Error | Meaning |", "| --- | --- |"]
        lines += [f"| `{code}` | {_cell(errors[code].get('description', ''))} |" for code in sorted(errors)]
        lines.append("")
    return lines


def _schema_section(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name} {{#{_anchor(name)}}}", ""]
    if schema.get("description"):
        lines += [" ".join(schema["description"].split()), ""]
    properties = schema.get("properties", {})
    if not properties:
        lines += [f"Type: {type_of({k: v for k, v in schema.items() if k != 'description'})}", ""]
        return lines
    required = set(schema.get("required", []))
    lines += ["| Field | Type | Required | Description |", "| --- | --- | --- | --- |"]
    for field, spec in properties.items():
        description = spec.get("description", "")
        constraints = _constraints(spec)
        for option in spec.get("anyOf", []):
            constraints = constraints or _constraints(option)
        if constraints:
            description = f"{description} ({constraints})" if description else constraints
        lines.append(
            f"| `{field}` | {_cell(type_of(spec))} | {'yes' if field in required else 'no'} | {_cell(description)} |"
        )
    if schema.get("additionalProperties") is False:
        lines += ["", "Unknown fields are refused (`parameter_unknown`)."]
    lines.append("")
    return lines


def render(document: dict[str, Any]) -> str:
    """The Markdown reference page for an OpenAPI 3.1 document."""
    info = document.get("info", {})
    lines = [
        "# API reference",
        "",
        "<!-- Generated by docs/gen_api_reference.py from GET /v1/openapi.json: do not edit. -->",
        "",
        f"Generated from the service's own OpenAPI document (`GET /v1/openapi.json`), "
        f"{info.get('title', 'API')} {info.get('version', '')}"
        + (f", API version `{info['x-api-version']}`" if "x-api-version" in info else "")
        + ". The guide to the same operations is [The claims API](api.md); "
        "errors share one shape, described there.",
        "",
    ]
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        description = f": {scheme['description']}" if scheme.get("description") else ""
        lines += [f"Authentication `{name}`: HTTP `{scheme.get('scheme', scheme.get('type'))}`{description}.", ""]

    lines += ["## Operations", ""]
    lines += ["| Method and path | Summary |", "| --- | --- |"]
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                summary = item[method].get("summary", "")
                lines.append(f"| `{method.upper()} {path}` | {_cell(summary)} |")
    lines.append("")

    for path, item in document.get("paths", {}).items():
        path_parameters = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                lines += _operation(path, method, item[method], path_parameters)

    schemas = document.get("components", {}).get("schemas", {})
    if schemas:
        lines += ["## Schemas", ""]
        for name in sorted(schemas):
            lines += _schema_section(name, schemas[name])
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------- MkDocs hook


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: add the generated reference page to the site."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, PAGE, content=render(openapi_document())))
    return files


def main(argv: list[str]) -> int:
    page = render(openapi_document())
    if len(argv) > 1:
        Path(argv[1]).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
