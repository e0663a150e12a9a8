"""Runs one corpus variant as a program through preflight (program runner + pack over gRPC)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from preflight import fabricate, known_parts
from preflight.program import ProgramSpec, run_program
from preflight.runner import _resource, _split_unknowns

PROJECT = "corpus"
STACK = "prod"
PRELUDE = '''\
import json
import pulumi
import pulumi_aws as aws

TOOLING, STAGING, PROD = "111111111111", "222222222222", "333333333333"


def _account(name, account_id):
    return aws.Provider(name, region="us-east-1", allowed_account_ids=[account_id],
                        assume_roles=[{"role_arn": f"arn:aws:iam::{account_id}:role/PulumiBootstrap"}])


tooling, staging, prod = _account("tooling", TOOLING), _account("staging", STAGING), _account("prod", PROD)
in_tooling = pulumi.ResourceOptions(provider=tooling)
in_staging = pulumi.ResourceOptions(provider=staging)
in_prod = pulumi.ResourceOptions(provider=prod)
'''
PACK_CONFIG = json.loads((Path(__file__).resolve().parents[3] / "policies" / "config" / "prod.json").read_text())


def write_program(directory: Path, body: str) -> Path:
    main = directory / "__main__.py"
    main.write_text(PRELUDE + "\n\n" + body)
    return main


def evaluate(pack: Any, directory: Path, body: str, mode: str, config: dict | None = None,
             pack_config: dict | None = None) -> dict[str, Any]:
    """{'violations': [(policy, resource name)], 'unevaluated': [policy], 'resources': n} of one run; a preview
    adds what its unknown values' known parts decide, as preflight does (preflight/known_parts.py)."""
    main = write_program(directory, body)
    spec = ProgramSpec(name=PROJECT, stack=STACK, directory=directory, main=main,
                       config={"aws:region": "us-east-1", **{f"{PROJECT}:{k}": v for k, v in (config or {}).items()}},
                       secret_keys=[])
    pack.configure({**PACK_CONFIG, **{k: {**PACK_CONFIG.get(k, {}), **v} for k, v in (pack_config or {}).items()}})
    diagnostics, name_of, count = _analyze(pack, spec, mode)
    if mode == "preview":
        pairs = known_parts.unevaluated_pairs(diagnostics)
        if pairs:
            shadows = []
            for salt in known_parts.SALTS:
                fabricate.SALT = salt
                try:
                    shadows.append(_analyze(pack, spec, "up")[0])
                finally:
                    fabricate.SALT = ""
            found = known_parts.judged(pairs, shadows)
            judged = {(d.policy, d.urn or None) for d in found}
            diagnostics = [d for d in diagnostics if (d.policy, d.urn or None) not in judged] + found
    by_urn_names = {urn: name for urn, name in name_of.items()}
    kept, unevaluated = _split_unknowns(diagnostics, {})
    return {"violations": sorted({(d.policy, by_urn_names.get(d.urn)) for d in kept}, key=str),
            "unevaluated": sorted({p for p, _ in unevaluated}), "resources": count}


def _analyze(pack: Any, spec: ProgramSpec, mode: str) -> tuple[list, dict[str, str], int]:
    run = run_program(spec, mode)
    regs = list(run.monitor.registrations.values())
    by_urn = {r.urn: r for r in regs}
    diagnostics = []
    for reg in regs:
        if reg.custom:
            diagnostics += pack.client.analyze(_resource(reg, by_urn, outputs=False)).diagnostics
    diagnostics += pack.client.analyze_stack([_resource(r, by_urn, outputs=True) for r in regs]).diagnostics
    return diagnostics, {r.urn: r.name for r in regs}, len(regs)
