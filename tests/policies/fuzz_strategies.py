"""Hypothesis strategies for hostile property bags, grown from realistic ones.

A realistic bag is the template: each value is kept, dropped, replaced by a value of another
type, turned unknown or secret, or mutated in place — recursively, including inside embedded
JSON and YAML documents (which are also truncated into malformed text). Rules see the shapes
they expect just often enough to reach their deep branches with the wrong types.
"""
from __future__ import annotations

import functools
import json
from typing import Any

import yaml
from hypothesis import strategies as st

from preflight.analyzer import SECRET_SIG_KEY, UNKNOWN, secret

HUGE = "A" * 100_000
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=24)
ODD_STRINGS = st.sampled_from([
    "", " ", "*", "null", "true", "false", "0", "-1", "8080", "3.5", "1e309", "NaN", "{", "[", "{\"a\":", "]]",
    "---\n- :", "version: [", "latest", ":latest", "repo:", "@", "arn:aws:iam::*:root", "arn:aws:iam::1:role/x",
    "AKIAABCDEFGHIJKLMNOP", "-----BEGIN RSA PRIVATE KEY-----", HUGE, "é" * 5_000, "\x00", UNKNOWN])
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 53), 2 ** 53),
                 st.floats(allow_nan=False, allow_infinity=False), TEXT, ODD_STRINGS)


def keys_of(value: Any, into: set[str] | None = None) -> set[str]:
    """Every mapping key in a value, including inside embedded JSON/YAML documents."""
    into = set() if into is None else into
    if isinstance(value, dict):
        for k, v in value.items():
            if k != SECRET_SIG_KEY:  # the engine's secret envelope, not a property name
                into.add(k)
            keys_of(v, into)
    elif isinstance(value, list):
        for v in value:
            keys_of(v, into)
    elif isinstance(value, str):
        parsed = _document(value)
        if parsed is not None:
            keys_of(parsed[1], into)
    return into


@functools.lru_cache(maxsize=None)
def known_key(keys: frozenset) -> st.SearchStrategy:
    return st.sampled_from(sorted(keys) or ["k"])


@functools.lru_cache(maxsize=None)
def any_value(keys: frozenset) -> st.SearchStrategy:
    """Arbitrary JSON-ish values whose mappings often use keys the rules look for."""
    key = st.one_of(known_key(keys), TEXT)
    return st.recursive(LEAF | st.just(UNKNOWN),
                        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(key, inner, max_size=4),
                        max_leaves=10)


def _document(text: str):
    """("json" | "yaml", parsed) when a string holds an embedded document, else None."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        return ("json", parsed) if isinstance(parsed, (dict, list)) else None
    if "\n" in text:
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError:
            return None
        return ("yaml", parsed) if isinstance(parsed, dict) else None
    return None


DROP = object()  # `mutated` says: leave this key out


@st.composite
def mutated(draw, value: Any, keys: frozenset, depth: int = 0, droppable: bool = False) -> Any:
    """`value` kept, dropped (map values only), replaced or mutated; deeper levels change less often."""
    if isinstance(value, dict) and SECRET_SIG_KEY in value:  # the engine's secret envelope: mutate what it holds
        inner = draw(mutated(value.get("value"), keys, depth, droppable))
        return inner if inner is DROP else secret(inner)
    roll = draw(st.integers(0, 99))
    keep_below = 35 + 10 * depth
    if roll < keep_below:
        return value
    if roll < keep_below + 8:
        return DROP if droppable else value
    if roll < keep_below + 14:
        return draw(any_value(keys))
    if roll < keep_below + 18:
        return UNKNOWN
    if roll < keep_below + 20:
        return secret(value)
    if isinstance(value, dict):
        return draw(_mutated_map(value, keys, depth))
    if isinstance(value, list):
        return draw(_mutated_list(value, keys, depth))
    if isinstance(value, str):
        return draw(_mutated_string(value, keys, depth))
    if isinstance(value, bool):
        return draw(st.sampled_from([str(value).lower(), str(not value).lower(), not value, 1, None, "yes"]))
    if isinstance(value, (int, float)):
        return draw(st.sampled_from([str(value), -value, 0, 10 ** 12, "", "ten", True, [value]]))
    return draw(any_value(keys))


@st.composite
def _mutated_map(draw, value: dict, keys: frozenset, depth: int) -> dict:
    out = {}
    for k, v in value.items():
        changed = draw(mutated(v, keys, depth + 1, droppable=True))
        if changed is not DROP:
            out[k] = changed
    if draw(st.integers(0, 4)) == 0:  # keys the template does not have, of any type
        out.update(draw(st.dictionaries(known_key(keys), any_value(keys), min_size=1, max_size=2)))
    return out


@st.composite
def _mutated_list(draw, value: list, keys: frozenset, depth: int) -> list:
    if not value or draw(st.integers(0, 9)) == 0:
        return draw(st.lists(any_value(keys), max_size=3))
    items = [draw(mutated(v, keys, depth + 1)) for v in value]
    if draw(st.booleans()):
        items = items + items[:1]  # duplicates
    return items


@st.composite
def _mutated_string(draw, value: str, keys: frozenset, depth: int) -> Any:
    doc = _document(value)
    if doc is not None:
        kind, parsed = doc
        if draw(st.integers(0, 3)) == 0:
            return value[: draw(st.integers(0, max(len(value) - 1, 0)))]  # malformed: truncated
        changed = draw(mutated(parsed, keys, depth + 1))
        if kind == "json":
            return json.dumps(changed)
        try:
            return yaml.safe_dump(changed)
        except yaml.YAMLError:
            return value
    return draw(st.one_of(ODD_STRINGS, TEXT, st.just(value.upper()), st.just(value + ":latest"),
                          st.just(value * 50), st.integers(-5, 10 ** 6).map(str)))


def property_bag(template: dict, keys: frozenset) -> st.SearchStrategy:
    """A whole property bag grown from `template` (top level: always a mapping, as the engine sends)."""
    return _mutated_map(template, keys, 0)
