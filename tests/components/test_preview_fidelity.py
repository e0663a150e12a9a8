"""In a first `pulumi preview` (preflight's preview mocks: computed outputs unknown) the inputs policies read
are known wherever config determines them; only values AWS makes up (KMS key ids, load balancer and
security group ids, task definition revisions) stay unknown."""
from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from preflight.mocks import UNKNOWN
from tests.components.harness import PROD_LAYOUT

ROOT = Path(__file__).resolve().parents[2]
# preflight's runner owns the process while it runs a program (fresh event loop, fresh `components` modules),
# so the preview runs in a child process and reports its registrations as JSON.
# The prod layout's stacks each on its own: a service stack's preview then cannot read the foundation's
# outputs either (unknown, as the foundation's key ARNs are before its first deployment).
_PREVIEW = """
import json, sys
from preflight.program import run_program
from preflight.project import load
regs = [r for stack in sys.argv[2:] for r in run_program(load(sys.argv[1], stack), "preview").monitor.registrations.values()]
json.dump([{"type": r.type, "name": r.name, "inputs": r.inputs} for r in regs if r.custom], sys.stdout, default=str)
"""


def _unknown_paths(value, path=""):
    if isinstance(value, str):
        if UNKNOWN in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknown_paths(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _unknown_paths(item, f"{path}[]")


@pytest.fixture(scope="module")
def preview():
    out = subprocess.run([sys.executable, "-c", _PREVIEW, str(ROOT), *PROD_LAYOUT], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=300).stdout
    return [SimpleNamespace(**r) for r in json.loads(out)]


def test_documents_policies_read_are_known_in_a_preview(preview):
    by_type = collections.defaultdict(list)
    for reg in preview:
        by_type[reg.type].append(reg)
    for reg in by_type["aws:ecs/taskDefinition:TaskDefinition"]:
        assert list(_unknown_paths(reg.inputs)) == [], reg.name
        assert all(":sha-" in c["image"] for c in json.loads(reg.inputs["containerDefinitions"]))
    for type_ in ("aws:iam/role:Role", "aws:ecr/repositoryPolicy:RepositoryPolicy", "aws:s3/bucketPolicy:BucketPolicy",
                  "aws:sns/topicPolicy:TopicPolicy", "aws:kms/keyPolicy:KeyPolicy"):
        for reg in by_type[type_]:
            unknown = set(_unknown_paths(reg.inputs))
            assert unknown <= {".keyId", ".bucket"}, (reg.name, unknown)
    for reg in by_type["aws:codepipeline/pipeline:Pipeline"]:
        assert set(_unknown_paths(reg.inputs)) == {".artifactStores[].encryptionKey.id"}, reg.name


def test_only_values_aws_makes_up_stay_unknown(preview):
    kms = {".encryptionKey", ".artifactStores[].encryptionKey.id", ".kmsMasterKeyId", ".keyId",
           ".rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId"}
    unknown = {(r.type, p) for r in preview for p in _unknown_paths(r.inputs)}
    # Identity policies naming the artifact key: build, pipeline and deploy roles (14 in prod).
    policies = [r.name for r in preview if r.type == "aws:iam/rolePolicy:RolePolicy"
                and ".policy" in set(_unknown_paths(r.inputs))]
    assert len(policies) == 14 and all(n.endswith(("-image-policy", "-package-policy", "-integration-test-policy",
                                                   "-delivery-policy", "-deploy-policy")) for n in policies)
    assert not {(t, p) for t, p in unknown if t.startswith(("aws:iam/", "aws:ecr/", "aws:sns/topicPolicy"))
                and p not in kms | {".policy"}}
