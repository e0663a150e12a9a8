"""`aws:iam/getPolicyDocument:getPolicyDocument`, evaluated offline to the provider's own JSON.

The AWS provider (terraform-provider-aws `aws_iam_policy_document`) has quirks a policy pack
sees, so they are reproduced here: set-valued lists (actions, resources, identifiers,
condition values) are de-duplicated and sorted in *reverse* order, a single value collapses
to a plain string, a lone `*`/`*` principal becomes `"Principal": "*"`, `&{` becomes `${`,
source documents are merged first and override documents last, statements with the same
Sid replacing earlier ones, and Go's JSON encoder escapes `<`, `>` and `&`.
"""
from __future__ import annotations

import json
import zlib
from typing import Any, Iterable, Mapping, Optional

DEFAULT_VERSION = "2012-10-17"
VERSIONS = ("2008-10-17", "2012-10-17")
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class PolicyDocumentError(ValueError):
    """Arguments the provider would reject (the invoke fails with this message)."""


def _arg(d: Mapping[str, Any], camel: str, snake: str, default: Any = None) -> Any:
    """Invoke args arrive camelCased from typed Args classes, snake_cased from plain dicts."""
    value = d.get(camel, d.get(snake))
    return default if value is None else value


def _decode_set(values: Iterable[Any]) -> Any:
    """A Terraform string set as the provider encodes it: one value → str, else reverse-sorted list."""
    unique = sorted({str(v) for v in values}, reverse=True)
    return unique[0] if len(unique) == 1 else unique


def _replace_vars(value: Any, version: str) -> Any:
    if isinstance(value, list):
        return [_replace_vars(v, version) for v in value]
    if version == "2008-10-17" and "&{" in value:
        raise PolicyDocumentError(f"found &{{ sequence in ({value}), which is not supported in "
                                  "document version 2008-10-17")
    return value.replace("&{", "${")


def _principals(blocks: Iterable[Mapping[str, Any]], version: str) -> list[tuple[str, Any]]:
    return [(str(b.get("type")), _replace_vars(_decode_set(b.get("identifiers") or []), version))
            for b in blocks]


def _conditions(blocks: Iterable[Mapping[str, Any]], version: str) -> list[tuple[str, str, Any]]:
    return [(str(b.get("test")), str(b.get("variable")), _replace_vars(_decode_set(b.get("values") or []), version))
            for b in blocks]


def _statement(cfg: Mapping[str, Any], version: str) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Sid": _arg(cfg, "sid", "sid", ""), "Effect": _arg(cfg, "effect", "effect", "Allow")}
    for key, camel, snake, replace in (("Action", "actions", "actions", False),
                                       ("NotAction", "notActions", "not_actions", False),
                                       ("Resource", "resources", "resources", True),
                                       ("NotResource", "notResources", "not_resources", True)):
        values = _arg(cfg, camel, snake) or []
        if values:
            decoded = _decode_set(values)
            stmt[key] = _replace_vars(decoded, version) if replace else decoded
    for key, camel, snake in (("Principal", "principals", "principals"),
                              ("NotPrincipal", "notPrincipals", "not_principals")):
        blocks = _arg(cfg, camel, snake) or []
        if blocks:
            stmt[key] = _principals(blocks, version)
    conditions = _arg(cfg, "conditions", "conditions") or []
    if conditions:
        stmt["Condition"] = _conditions(conditions, version)
    return stmt


def _parse_document(text: str, what: str) -> dict[str, Any]:
    """A JSON policy document in the internal form (principals and conditions as lists of tuples)."""
    try:
        raw = json.loads(text)
    except (TypeError, json.JSONDecodeError) as e:
        raise PolicyDocumentError(f"writing IAM Policy Document: merging {what}: {e}") from None
    if not isinstance(raw, dict):
        raise PolicyDocumentError(f"writing IAM Policy Document: merging {what}: not a JSON object")
    statements = raw.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    doc = {"Version": raw.get("Version", ""), "Id": raw.get("Id", ""), "Statement": []}
    for s in statements:
        stmt = {k: v for k, v in s.items() if k not in ("Principal", "NotPrincipal", "Condition")}
        for key in ("Principal", "NotPrincipal"):
            if key in s:
                stmt[key] = _parsed_principals(s[key])
        if "Condition" in s:
            stmt["Condition"] = [(test, var, vals) for test, variables in s["Condition"].items()
                                 for var, vals in variables.items()]
        doc["Statement"].append(stmt)
    return doc


def _parsed_principals(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, str):
        return [("*", ["*"])]
    return [(k, list(v) if isinstance(v, list) else v) for k, v in value.items()]


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    if new.get("Id"):
        into["Id"] = new["Id"]
    if new.get("Version", "") > into.get("Version", ""):
        into["Version"] = new["Version"]
    for stmt in new.get("Statement", []):
        sid = stmt.get("Sid")
        index = next((i for i, s in enumerate(into["Statement"]) if sid and s.get("Sid") == sid), None)
        if index is None:
            into["Statement"].append(stmt)
        else:
            into["Statement"][index] = stmt


def _marshal_principals(principals: list[tuple[str, Any]]) -> Any:
    if len(principals) == 1 and principals[0][0] == "*" and principals[0][1] in (["*"], "*"):
        return "*"
    raw: dict[str, Any] = {}
    for kind, ids in principals:
        current = raw.get(kind)
        if isinstance(ids, list):
            merged = [] if current is None else ([current] if isinstance(current, str) else current)
            raw[kind] = merged + sorted(ids, reverse=True)
        elif current is None:
            raw[kind] = ids
        else:
            raw[kind] = ([current] if isinstance(current, str) else current) + [ids]
    return {k: raw[k] for k in sorted(raw)}


def _marshal_conditions(conditions: list[tuple[str, str, Any]]) -> dict[str, Any]:
    raw: dict[str, dict[str, Any]] = {}
    for test, variable, values in conditions:
        by_var = raw.setdefault(test, {})
        current = by_var.get(variable)
        if current is None:
            by_var[variable] = list(values) if isinstance(values, list) else values
        else:
            current = [current] if isinstance(current, str) else current
            by_var[variable] = current + (list(values) if isinstance(values, list) else [values])
    return {t: {v: raw[t][v] for v in sorted(raw[t])} for t in sorted(raw)}


def _marshal(doc: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc.get("Version"):
        out["Version"] = doc["Version"]
    if doc.get("Id"):
        out["Id"] = doc["Id"]
    statements = []
    for s in doc.get("Statement", []):
        stmt: dict[str, Any] = {}
        for key in ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"):
            if s.get(key):
                stmt[key] = s[key]
        for key in ("Principal", "NotPrincipal"):
            if s.get(key):
                stmt[key] = _marshal_principals(s[key])
        if s.get("Condition"):
            stmt["Condition"] = _marshal_conditions(s["Condition"])
        statements.append(stmt)
    if statements:
        out["Statement"] = statements
    return out


def _go_json(value: Any, indent: Optional[int]) -> str:
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=False)
    for char, escape in _GO_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def _check_unique_sids(statements: Iterable[Mapping[str, Any]], seen: set[str], where: str) -> None:
    for index, stmt in enumerate(statements):
        sid = stmt.get("Sid")
        if not sid:
            continue
        if sid in seen:
            raise PolicyDocumentError(f"duplicate Sid ({sid}) in {where} (statement {index}). "
                                      "Remove the Sid or ensure the Sid is unique.")
        seen.add(sid)


def evaluate(args: Mapping[str, Any]) -> dict[str, Any]:
    """The invoke's result: `json` (indented like the provider), `minifiedJson`, `id`."""
    version = _arg(args, "version", "version", "") or DEFAULT_VERSION
    if version not in VERSIONS:
        raise PolicyDocumentError(f"version: expected one of {', '.join(VERSIONS)}, got {version!r}")
    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
    source_sids: set[str] = set()
    for i, text in enumerate(_arg(args, "sourcePolicyDocuments", "source_policy_documents", []) or []):
        if text is None:
            continue
        source = _parse_document(text, f"source document {i}")
        _check_unique_sids(source["Statement"], source_sids, f"source_policy_documents (item {i})")
        _merge(merged, source)
    statements = [_statement(s, version) for s in _arg(args, "statements", "statements", []) or []]
    _check_unique_sids(statements, set(), "statement")
    _merge(merged, {"Version": version, "Id": _arg(args, "policyId", "policy_id", ""), "Statement": statements})
    for i, text in enumerate(_arg(args, "overridePolicyDocuments", "override_policy_documents", []) or []):
        if text is not None:
            _merge(merged, _parse_document(text, f"override document {i}"))
    doc = _marshal(merged)
    pretty = _go_json(doc, 2)
    return {"json": pretty, "minifiedJson": _go_json(doc, None), "id": str(zlib.crc32(pretty.encode())),
            "version": version}
