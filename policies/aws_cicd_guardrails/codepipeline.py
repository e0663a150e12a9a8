"""CodePipeline rules about the release flow: approval gates, staging before prod, cross-account roles.

The approval and staging gates are stack rules: a build action deploys to prod when its CodeBuild
project's buildspec says so (_pipeline_deploys), and the project is another resource of the stack.

Source, artifact-store and trigger rules live in codepipeline_source.py; the notification
stack rule in codepipeline_notifications.py (both imported here for their registrations).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from . import _pipeline, _pipeline_deploys, _prod
from . import codepipeline_notifications, codepipeline_source  # noqa: F401  (registrations)
from ._common import provider_account, str_list
from ._registry import resource_rule, stack_rule

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
DEFAULT_STAGING_NAME_PATTERN = r"(?i)(^|[-_:/ ])(staging|stg|pre-?prod|uat)($|[-_:/ ])"

CROSS_ACCOUNT_CONFIG = {
    **_prod.CONFIG,
    "stagingAccountIds": {
        "type": "array", "items": {"type": "string", "pattern": r"^\d{12}$"}, "default": [],
        "description": "Account ids that deploy actions named for staging (stagingNamePattern) target."},
    "stagingNamePattern": {
        "type": "string", "default": DEFAULT_STAGING_NAME_PATTERN,
        "description": "Regular expression over stage / action names marking a staging deploy."},
}


@stack_rule(
    "codepipeline-prod-manual-approval-required",
    description=("A prod deploy action (by category, or a build / commands action that runs a deploy to "
                 "prod) must run after a Manual approval action: in an earlier stage or at a higher "
                 "runOrder."),
    severity="critical",
    remediation="Add a stage with an Approval/Manual action (with a NotificationArn) before every stage "
                "that deploys to prod (or give the approval a lower runOrder than the deploy in its stage).",
    topic="release-gates",
    config=_prod.CONFIG,
    waivable=False,
)
def codepipeline_prod_manual_approval_required(args, cfg):
    for pipeline, verdicts in _pipeline_deploys.pipelines(args.resources, cfg):
        approvals = [v.action for v in verdicts if _pipeline.is_manual_approval(v.action)]
        for v in verdicts:
            if not (v.deploys and v.prod) or any(_pipeline.precedes(a, v.action) for a in approvals):
                continue
            parallel = [a for a in approvals if a.position == v.action.position]
            hint = (f"; approval \"{parallel[0].name}\" has the same runOrder, so both run in parallel"
                    if parallel else "")
            yield (pipeline.urn,
                   f"{_pipeline.pipeline_label(pipeline)}: prod deploy {v.describe()} has no Manual approval "
                   f"action before it (an earlier stage, or a lower runOrder in its stage){hint}; add an "
                   f"Approval stage (provider \"Manual\") before stage \"{v.action.stage}\"")


@resource_rule(
    "codepipeline-approval-notifies",
    types=[PIPELINE],
    description="Manual approval actions must notify reviewers through an SNS NotificationArn.",
    severity="medium",
    remediation="Set configuration NotificationArn on every Approval/Manual action to an SNS topic the "
                "reviewers subscribe to.",
    topic="release-gates",
)
def codepipeline_approval_notifies(args, cfg):
    for action in _pipeline.actions(args.props):
        # The key, not its value: a topic's ARN is unknown during a first preview, and an empty one fails
        # CodePipeline's own validation.
        notifies = any(k == "NotificationArn" for k in action.configuration)
        if _pipeline.is_manual_approval(action) and not notifies:
            yield (f"{_pipeline.pipeline_label(args)}: approval {action.label()} has no NotificationArn; "
                   "set configuration NotificationArn to an SNS topic so reviewers are told")


@stack_rule(
    "codepipeline-staging-before-prod",
    description=("A prod deploy action must follow a non-prod (staging) deploy action: in an earlier stage "
                 "or at a lower runOrder; build / commands actions that run deploys count."),
    severity="high",
    remediation="Deploy the same artifact to staging in a stage before the prod deploy, and verify it there.",
    topic="release-gates",
    config=_prod.CONFIG,
)
def codepipeline_staging_before_prod(args, cfg):
    for pipeline, verdicts in _pipeline_deploys.pipelines(args.resources, cfg):
        staging = [v.action for v in verdicts if v.deploys and not v.prod]
        for v in verdicts:
            if v.deploys and v.prod and not any(_pipeline.precedes(s, v.action) for s in staging):
                yield (pipeline.urn,
                       f"{_pipeline.pipeline_label(pipeline)}: prod deploy {v.describe()} is not preceded "
                       f"by a staging deploy; add a non-prod deploy stage before stage \"{v.action.stage}\"")


def _target_accounts(action: _pipeline.Action, cfg: Mapping[str, Any]) -> set[str]:
    """Where a deploy action acts: ARNs in its configuration, else the configured prod / staging accounts."""
    named = action.target_accounts()
    if named:
        return named
    prod = _prod.prod_accounts(cfg)
    if prod and _pipeline.is_prod(action, cfg):
        return prod
    staging = set(str_list(cfg.get("stagingAccountIds")))
    names = (action.stage, action.name)
    if staging and any(_prod.name_matches(n, cfg, "stagingNamePattern", DEFAULT_STAGING_NAME_PATTERN)
                       for n in names):
        return staging
    return set()


def _cross_account_problem(action: _pipeline.Action, targets: set[str], home: Optional[str]) -> Optional[str]:
    role_account = action.role_account
    if role_account in targets:
        return None
    if action.role_arn:
        where = f"in account {role_account}" if role_account else "not an IAM role ARN"
        return f"its roleArn {action.role_arn!r} is {where}"
    if home is None or home in targets:
        return None
    return f"it has no roleArn, so it would act as the pipeline role of account {home}"


@resource_rule(
    "codepipeline-cross-account-action-role",
    types=[PIPELINE],
    description="A deploy action into another account must assume a roleArn that lives in that account.",
    severity="medium",
    remediation="Give the action role_arn = the deploy role of the target account (trusting the pipeline "
                "role), and encrypt the artifact store with a KMS key that account may use.",
    topic="cross-account",
    config=CROSS_ACCOUNT_CONFIG,
)
def codepipeline_cross_account_action_role(args, cfg):
    home = provider_account(args.provider)
    for action in _pipeline.actions(args.props):
        if not _pipeline.is_deploy(action):
            continue
        targets = _target_accounts(action, cfg)
        problem = _cross_account_problem(action, targets, home) if targets else None
        if problem:
            yield (f"{_pipeline.pipeline_label(args)}: deploy {action.label()} targets account "
                   f"{', '.join(sorted(targets))} but {problem}; set roleArn to a role in the target account")
