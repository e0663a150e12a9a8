"""Pulumi.yaml / Pulumi.<stack>.yaml read the way the CLI's YAML library (gopkg.in/yaml.v3 v3.0.1) reads them.

PyYAML's SafeLoader follows YAML 1.1 (`yes` is a boolean, `1e3` a string, a second document an error); the
CLI decodes with yaml.v3, whose scalar resolution, duplicate-key refusal and alias limit are reproduced here
so the program sees the values `pulumi up` would give it.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import re
from pathlib import Path
from typing import Any, Optional

import yaml
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from preflight.go_time import GoTime, parse_timestamp

_TAG = "tag:yaml.org,2002:"
_MAP: dict[str, tuple[str, Any]] = {
    **{s: ("bool", True) for s in ("true", "True", "TRUE")},
    **{s: ("bool", False) for s in ("false", "False", "FALSE")},
    **{s: ("null", None) for s in ("", "~", "null", "Null", "NULL")},
    **{s: ("float", math.nan) for s in (".nan", ".NaN", ".NAN")},
    **{s: ("float", math.inf) for s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{s: ("float", -math.inf) for s in ("-.inf", "-.Inf", "-.INF")},
    "<<": ("merge", "<<"),
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_INT_DIGITS = {"x": (16, re.compile(r"[0-9a-fA-F]+")), "o": (8, re.compile(r"[0-7]+")),
               "b": (2, re.compile(r"[01]+"))}


class YamlError(ValueError):
    """A document yaml.v3 refuses; `line` is 1-based when known."""

    def __init__(self, message: str, line: Optional[int] = None):
        super().__init__(message)
        self.line = line


def _go_parse_int(text: str) -> Optional[int]:
    """strconv.ParseInt/ParseUint with base 0 (sign, 0x/0o/0b prefixes, a leading 0 meaning octal)."""
    sign, body = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    base, digits = 10, re.compile(r"[0-9]+")
    if len(body) > 1 and body[0] == "0":
        base, digits = _INT_DIGITS.get(body[1].lower(), (8, re.compile(r"[0-7]+")))
        body = body[2:] if body[1].lower() in _INT_DIGITS else body[1:]
    if not digits.fullmatch(body):
        return None
    value = int(body, base) * (-1 if sign == "-" else 1)
    if -2**63 <= value < 2**63 or (not sign and 0 <= value < 2**64):
        return value
    return None


def go_resolve(text: str) -> tuple[str, Any]:
    """(short tag, value) of a plain scalar, as yaml.v3's resolve() decides (resolve.go)."""
    if text in _MAP:
        return _MAP[text]
    first = text[:1]
    if first == "." and _DOT_FLOAT.fullmatch(text) and math.isfinite(float(text)):
        return "float", float(text)
    if first and (first in "+-" or "0" <= first <= "9"):
        stamp = parse_timestamp(text)
        if stamp is not None:
            return "timestamp", stamp
        plain = text.replace("_", "")
        number = _go_parse_int(plain)
        if number is not None:
            return "int", number
        if _YAML_STYLE_FLOAT.fullmatch(plain) and math.isfinite(float(plain)):
            return "float", float(plain)
    return "str", text


def _allowed_alias_ratio(decodes: int) -> float:
    """decode.go allowedAliasRatio: 99% of a small document may come from aliases, 10% of a huge one."""
    if decodes <= 400_000:
        return 0.99
    if decodes >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (decodes - 400_000) / 3_600_000


class GoYamlLoader(yaml.SafeLoader):
    """SafeLoader with yaml.v3's resolution; aliases are costed while composing and never expanded."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._sizes: dict[int, int] = {}     # id(node) -> nodes its expansion decodes
        self._pending: list[int] = []        # expanded sizes of the children being composed
        self._decodes = 0
        self._aliased = 0

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return _TAG + (go_resolve(value)[0] if implicit[0] else "str")
        return super().resolve(kind, value, implicit)

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.get_event()
            node = self.anchors.get(event.anchor)
            line = event.start_mark.line + 1
            if node is None:
                raise YamlError(f"unknown anchor '{event.anchor}' referenced", line)
            if id(node) not in self._sizes:
                raise YamlError(f"anchor '{event.anchor}' value contains itself", line)
            self._count(1 + self._sizes[id(node)], aliased=self._sizes[id(node)], line=line)
            return node
        event = self.peek_event()
        self._pending.append(0)
        self.descend_resolver(parent, index)
        if self.check_event(ScalarEvent):
            node = self.compose_scalar_node(event.anchor)
        elif self.check_event(SequenceStartEvent):
            node = self.compose_sequence_node(event.anchor)
        elif self.check_event(MappingStartEvent):
            node = self.compose_mapping_node(event.anchor)
        self.ascend_resolver()
        size = 1 + self._pending.pop()
        self._sizes[id(node)] = size
        self._count(1, aliased=0, line=event.start_mark.line + 1, size=size)
        return node

    def _count(self, decodes: int, aliased: int, line: int, size: Optional[int] = None) -> None:
        if self._pending:
            self._pending[-1] += decodes if size is None else size
        self._decodes += decodes
        self._aliased += aliased
        if self._aliased > 100 and self._decodes > 1000 and \
                self._aliased / self._decodes > _allowed_alias_ratio(self._decodes):
            raise YamlError("document contains excessive aliasing", line)

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict[tuple, int] = {}
        for key, _ in node.value:
            ident = (type(key), key.value if isinstance(key, ScalarNode) else "")
            line = key.start_mark.line + 1
            if ident in seen:
                raise YamlError(f'mapping key "{ident[1]}" already defined at line {seen[ident]}', line)
            seen[ident] = line
        return node


def _scalar(loader: GoYamlLoader, node: ScalarNode) -> Any:
    kind, value = go_resolve(node.value)
    wanted = node.tag[len(_TAG):]
    if kind != wanted and not (wanted == "float" and kind == "int"):
        raise YamlError(f"cannot decode !!{kind} `{node.value}` as a !!{wanted}", node.start_mark.line + 1)
    return float(value) if wanted == "float" else value


def _unknown_tag(loader: GoYamlLoader, suffix: str, node) -> Any:
    if isinstance(node, ScalarNode):
        return node.value                      # yaml.v3 keeps a locally tagged scalar as its text
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


for _kind in ("bool", "null", "int", "float", "timestamp"):
    GoYamlLoader.add_constructor(_TAG + _kind, _scalar)
def _binary(loader: GoYamlLoader, node: ScalarNode) -> str:
    """resolve.go: base64.StdEncoding.DecodeString (strict, newlines ignored), else an error."""
    try:
        data = base64.b64decode(node.value.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        raise YamlError("!!binary value contains invalid base64 data", node.start_mark.line + 1) from None
    return data.decode("utf-8", "replace")


GoYamlLoader.add_constructor(_TAG + "binary", _binary)
GoYamlLoader.add_multi_constructor("", _unknown_tag)


def key_lines(node, path: tuple = (), out: Optional[dict] = None, seen: Optional[set] = None) -> dict:
    """path (keys and indexes) -> 1-based line of that entry, each node visited once."""
    out = {} if out is None else out
    seen = set() if seen is None else seen
    if id(node) in seen:
        return out
    seen.add(id(node))
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                out.setdefault(path + (key.value,), key.start_mark.line + 1)
                key_lines(value, path + (key.value,), out, seen)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            out.setdefault(path + (i,), item.start_mark.line + 1)
            key_lines(item, path + (i,), out, seen)
    return out


def decode(raw: bytes) -> str:
    """Text of the file: a UTF-8 BOM stripped (loaders.go readFileStripUTF8BOM), UTF-16 when it has a BOM."""
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise YamlError(f"invalid UTF-16 after its byte order mark ({e.reason} at offset {e.start})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise YamlError(f"invalid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})", line) from None


MAX_DEPTH = 256     # yaml.v3 allows 10000 levels; everything after parsing recurses per level, so stop here
_TOO_DEEP = f"document nested too deeply: preflight reads at most {MAX_DEPTH} levels"


def _height(value: Any) -> int:
    """Levels of nested mappings/sequences, without recursion; aliased (shared) values counted once."""
    heights: dict[int, int] = {}
    stack = [(value, False)]
    while stack:
        item, done = stack.pop()
        children = list(item.values()) if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None or id(item) in heights:
            continue
        if done:
            heights[id(item)] = 1 + max((heights.get(id(c), 0) for c in children), default=0)
            if heights[id(item)] > MAX_DEPTH:
                raise YamlError(_TOO_DEEP)
        else:
            stack.append((item, True))
            stack.extend((c, False) for c in children)
    return heights.get(id(value), 0)


def parse(raw: bytes, suffix: str) -> tuple[Any, dict]:
    """(the first document's value, key_lines) of a .yaml/.yml or .json file's bytes."""
    text = decode(raw)
    if suffix == ".json":
        try:
            data = json.loads(text)            # encoding/json: a repeated key keeps its last value
        except json.JSONDecodeError as e:
            raise YamlError(e.msg, e.lineno) from None
        except RecursionError:
            raise YamlError(_TOO_DEEP) from None
        _height(data)
        return data, {}
    loader = GoYamlLoader(text)
    try:
        if not loader.check_node():
            return None, {}
        node = loader.get_node()               # yaml.v3 Unmarshal reads the first document only
        data = loader.construct_document(node)
        _height(data)
        return data, key_lines(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise YamlError(str(e.problem or e.context), mark.line + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise YamlError(str(e)) from None
    except RecursionError:
        raise YamlError(_TOO_DEEP) from None
    finally:
        loader.dispose()


def read(path: Path) -> bytes:
    """The file's bytes; OSError (missing, a directory, unreadable) is the caller's to word."""
    return path.read_bytes()
