"""POLICIES: every rule of the pack, built from the one registry.

Importing a service module registers its rules. `platform` comes last so that
`platform-waiver-expired` (a stack rule) sees the waivers every other rule has read.
"""
from . import (  # noqa: F401  (imported for their registrations)
    ecr, ecs, codebuild, codepipeline, codedeploy, lambda_, iam, s3, kms, sns, logs, secrets, ec2, platform,
)
from ._registry import RULES, Rule, to_policy

POLICIES = [to_policy(rule) for rule in RULES]

__all__ = ["POLICIES", "RULES", "Rule"]
