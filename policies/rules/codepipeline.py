"""CodePipeline rules about the release flow: approval gates, staging before prod, cross-account roles.

Source, artifact-store and trigger rules live in codepipeline_source.py; the notification
stack rule in codepipeline_notifications.py (both imported here for their registrations).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from . import _pipeline, _prod
from . import codepipeline_notifications, codepipeline_source  # noqa: F401  (registrations)
from ._common import provider_account, str_list
from ._registry import resource_rule

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


@resource_rule(
    "codepipeline-prod-manual-approval-required",
    types=[PIPELINE],
    description="A prod deploy action must come after a Manual approval action in an earlier stage.",
    severity="critical",
    remediation="Add a stage with an Approval/Manual action (with a NotificationArn) before every stage "
                "that deploys to prod.",
    topic="release-gates",
    config=_prod.CONFIG,
    waivable=False,
)
def codepipeline_prod_manual_approval_required(args, cfg):
    first_approval = _pipeline.first_stage_with(args.props, _pipeline.is_manual_approval)
    for action in _pipeline.prod_deploys(args.props, cfg):
        if first_approval is None or first_approval >= action.stage_index:
            yield (f"{_pipeline.pipeline_label(args)}: prod deploy {action.label()} has no Manual approval "
                   f"action in an earlier stage; add an Approval stage (provider \"Manual\") before "
                   f"stage \"{action.stage}\"")


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
        if _pipeline.is_manual_approval(action) and not action.config("NotificationArn"):
            yield (f"{_pipeline.pipeline_label(args)}: approval {action.label()} has no NotificationArn; "
                   "set configuration NotificationArn to an SNS topic so reviewers are told")


@resource_rule(
    "codepipeline-staging-before-prod",
    types=[PIPELINE],
    description="A prod deploy action must follow a non-prod (staging) deploy action in an earlier stage.",
    severity="high",
    remediation="Deploy the same artifact to staging in a stage before the prod deploy, and verify it there.",
    topic="release-gates",
    config=_prod.CONFIG,
)
def codepipeline_staging_before_prod(args, cfg):
    first_staging = _pipeline.first_stage_with(
        args.props, lambda a: _pipeline.is_deploy(a) and not _pipeline.is_prod(a, cfg))
    for action in _pipeline.prod_deploys(args.props, cfg):
        if first_staging is None or first_staging >= action.stage_index:
            yield (f"{_pipeline.pipeline_label(args)}: prod deploy {action.label()} is not preceded by a "
                   f"staging deploy; add a non-prod deploy stage before stage \"{action.stage}\"")


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
