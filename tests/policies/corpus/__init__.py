"""The realistic-variant corpus: for every rule, programs written the way real programs write the
mistake (outputs, helpers, invokes, loops over config, other resource shapes) and near-misses that are
compliant. Each module holds `VARIANTS`; tests/policies/test_corpus.py runs every variant through
preflight's program runner and the pack over gRPC, in preview and in up mode.

A variant's `program` is the body of a Pulumi program; `PRELUDE` (tests/policies/corpus/_program.py)
comes first: `pulumi`, `aws`, `json`, and explicit providers `tooling`, `staging`, `prod` in accounts
111111111111 / 222222222222 / 333333333333 (the pack's prod config names the last two).
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Optional

VIOLATES, NEAR_MISS = "violates", "near-miss"


@dataclass(frozen=True)
class Variant:
    rule: str
    kind: str                       # VIOLATES | NEAR_MISS
    name: str                       # what the variant shows, unique per rule
    program: str
    resource: Optional[str] = None  # the logical name the diagnostic names (None: any / a stack finding)
    config: Optional[dict] = None   # extra stack config {"key": "value"} (project namespace "corpus")
    pack_config: Optional[dict] = None  # per-policy entries laid over policies/config/prod.json

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.kind}:{self.name}"


def all_variants() -> list[Variant]:
    out: list[Variant] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
        out.extend(importlib.import_module(f"{__name__}.{module}").VARIANTS)
    return out
