"""aws-cicd-guardrails: CrossGuard rules for AWS CI/CD, and the pack they make.

Importing the package registers every rule (one module per service; `platform` comes last so that
`platform-waiver-expired`, a stack rule, sees the waivers every other rule has read). Another
team's pack, in a few lines (examples/custom-pack/__main__.py):

    import aws_cicd_guardrails as guardrails
    rules = guardrails.select("ecr-*", "iam-role-trust-no-wildcard-principal")
    rules = guardrails.relevel(rules, "advisory", "ecr-repository-scan-on-push")
    guardrails.policy_pack("team-guardrails", rules)

A rule's metadata: `name`, `description`, `severity`, `enforcement_level` (None: the pack's),
`resource_types`, `anchor` / `anchors` (Security Hub, Checkov, cdk-nag... controls), `config`
(its JSON schema properties), `waivable`. `resource_rule` / `stack_rule` register a rule of your own.
"""
from . import (  # noqa: F401  (imported for their registrations)
    ecr, ecs, codebuild, codepipeline, codedeploy, lambda_, iam, s3, kms, sns, logs, secrets, ec2, platform,
)
from ._pack import policies, policy_pack, relevel, select
from ._registry import LEVELS, RULES, Rule, resource_rule, stack_rule, to_policy


def __getattr__(name: str):
    if name == "POLICIES":  # built when asked for: a pack builds the policies of its own rules
        return policies(RULES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["LEVELS", "POLICIES", "RULES", "Rule", "policies", "policy_pack", "relevel", "resource_rule",
           "select", "stack_rule", "to_policy"]
