"""OpenAPI links: how a response leads to the next operation (an id, an ETag).

Clients read them to follow a resource from its creation on; the API fuzzer's stateful phase
follows them to chain real requests (create, read, change with the ETag, submit, comment)
instead of guessing ids. Each app's API declares its links as a table and hooks it into the
schema (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).
"""

import re
from typing import Any

# {operation id: {response status: {link name: (target operation id, {parameter: expression})}}}
LinkTable = dict[str, dict[str, dict[str, tuple[str, dict[str, str]]]]]


def add_links(schema: dict[str, Any], table: LinkTable) -> dict[str, Any]:
    """Write `table`'s links into the responses of a generated schema; unknown operations are an error."""
    operations = {
        operation["operationId"]: operation
        for path in schema.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for source, by_status in table.items():
        for status, links in by_status.items():
            response = operations[source]["responses"][status]
            for name, (target, parameters) in links.items():
                if target not in operations:
                    raise KeyError(f"link {source} {status} {name}: no operation {target!r}")
                response.setdefault("links", {})[name] = {"operationId": target, "parameters": parameters}
    return schema


# drf-spectacular writes a decimal string's pattern as `^-?\d{0,18}(?:\.\d{0,2})?$`, which also
# matches "", "-" and ".": strings no DecimalField accepts. At least one digit is required.
_LOOSE_DECIMAL = re.compile(r"^\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")


def _tighten(node: Any) -> None:
    if isinstance(node, dict):
        match = _LOOSE_DECIMAL.match(node.get("pattern", "")) if node.get("format") == "decimal" else None
        if match:
            whole, places = match.groups()
            node["pattern"] = rf"^-?(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
        for value in node.values():
            _tighten(value)
    elif isinstance(node, list):
        for value in node:
            _tighten(value)


def decimal_patterns(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: decimal strings need a digit."""
    _tighten(result)
    return result
