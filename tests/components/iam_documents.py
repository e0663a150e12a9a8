"""Every IAM document a recording carries: (resource, field, parsed JSON)."""
from __future__ import annotations

import json
from typing import Any, Iterator

from tests.components.harness import Recording, Registration

DOCUMENT_FIELDS = {
    "aws:iam/role:Role": ("assumeRolePolicy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/policy:Policy": ("policy",),
    "aws:kms/key:Key": ("policy",),
    "aws:kms/keyPolicy:KeyPolicy": ("policy",),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy",),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
}


def iam_documents(recording: Recording) -> Iterator[tuple[Registration, str, dict[str, Any]]]:
    for reg in recording.resources:
        for field in DOCUMENT_FIELDS.get(reg.type, ()):
            if reg.inputs.get(field):
                yield reg, field, json.loads(reg.inputs[field])
