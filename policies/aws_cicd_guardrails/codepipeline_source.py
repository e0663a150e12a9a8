"""CodePipeline rules about what starts a pipeline and where its artifacts live."""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from . import _pipeline
from ._common import as_list, get, str_list
from ._registry import resource_rule

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
_KMS_ALIAS = re.compile(r"^(alias/|arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias/)")
_GIT_PROVIDERS = {"CodeStarSourceConnection", "CodeCommit", "GitHub"}
_EVERY_BRANCH = {"*", "**"}


def _block(value: Any) -> Mapping:
    """A nested block that the schema may send as a map or as a one-item list."""
    return next((b for b in as_list(value) if isinstance(b, Mapping)), {})


def _has_key(mapping: Mapping, key: str) -> bool:
    # Iterating keys never reads values: an unknown OAuthToken value still counts as present.
    return any(k == key for k in mapping)


@resource_rule(
    "codepipeline-source-no-oauth-v1",
    types=[PIPELINE],
    description="Pipelines must not use the deprecated GitHub version 1 source action or an OAuthToken.",
    severity="high",
    remediation="Replace the ThirdParty/GitHub action with a CodeStarSourceConnection action on an "
                "aws.codestarconnections.Connection, and delete the stored OAuth token.",
    topic="source",
)
def codepipeline_source_no_oauth_v1(args, cfg):
    for action in _pipeline.actions(args.props):
        reasons = []
        if action.owner == "ThirdParty" and action.provider == "GitHub":
            reasons.append("is GitHub version 1 (owner ThirdParty, provider GitHub)")
        if _has_key(action.configuration, "OAuthToken"):
            reasons.append("authenticates with an OAuthToken")
        if reasons:
            yield (f"{_pipeline.pipeline_label(args)}: source {action.label()} {' and '.join(reasons)}; "
                   "use a CodeStarSourceConnection action with a CodeConnections connection")


@resource_rule(
    "codepipeline-source-no-codecommit",
    types=[PIPELINE],
    description="Pipelines must not use CodeCommit sources, which are closed to new customers.",
    severity="medium",
    remediation="Host the repository on GitHub / GitLab / Bitbucket and use a CodeStarSourceConnection "
                "action.",
    topic="source",
)
def codepipeline_source_no_codecommit(args, cfg):
    for action in _pipeline.actions(args.props):
        if action.provider == "CodeCommit":
            yield (f"{_pipeline.pipeline_label(args)}: source {action.label()} uses provider \"CodeCommit\" "
                   "(closed to new customers); use a CodeStarSourceConnection action")


def _store_problem(store: Any) -> str:
    key_id = get(_block(get(store, "encryptionKey")), "id")
    if not isinstance(key_id, str) or not key_id:
        return "has no encryptionKey, so it uses the AWS-managed aws/s3 key that other accounts cannot use"
    if _KMS_ALIAS.match(key_id):
        return f"references the key by alias {key_id!r}; use the ARN of a customer-managed KMS key"
    return ""


@resource_rule(
    "codepipeline-artifact-store-kms-cmk",
    types=[PIPELINE],
    description="Pipeline artifact stores must be encrypted with a customer-managed KMS key.",
    severity="high",
    remediation="Set artifact_stores[].encryption_key = {id: <customer-managed key ARN>, type: \"KMS\"}; "
                "grant the deploy roles of every target account kms:Decrypt on it.",
    topic="encryption",
    anchors=["CKV_AWS_219"],
)
def codepipeline_artifact_store_kms_cmk(args, cfg):
    stores = as_list(get(args.props, "artifactStores"))
    if not stores:
        yield (f"{_pipeline.pipeline_label(args)} has no artifactStores; add one encrypted with a "
               "customer-managed KMS key")
    for store in stores:
        problem = _store_problem(store)
        if problem:
            location = get(store, "location")
            shown = repr(location) if isinstance(location, str) else "(no location)"
            yield f"{_pipeline.pipeline_label(args)}: artifact store {shown} {problem}"


@resource_rule(
    "codepipeline-pipeline-type-v2",
    types=[PIPELINE],
    description="Pipelines must be of type V2 (triggers with filters, variables, per-execution pricing).",
    severity="medium",
    remediation="Set pipeline_type=\"V2\" and add triggers with branch filters.",
    topic="pipeline",
)
def codepipeline_pipeline_type_v2(args, cfg):
    value = get(args.props, "pipelineType")
    if value != "V2":
        shown = repr(value) if isinstance(value, str) else "unset (defaults to \"V1\")"
        yield f"{_pipeline.pipeline_label(args)} has pipelineType {shown}; set it to \"V2\""


def _push_filters(trigger: Any) -> Iterator[Mapping]:
    git = _block(get(trigger, "gitConfiguration"))
    for key in ("pushes", "push"):
        yield from (p for p in as_list(get(git, key)) if isinstance(p, Mapping))


def _push_problem(push: Mapping) -> str:
    includes = str_list(get(_block(get(push, "branches")), "includes"))
    wildcard = sorted(set(includes) & _EVERY_BRANCH)
    if wildcard:
        return f"a push filter includes branches {wildcard}"
    tag_includes = str_list(get(_block(get(push, "tags")), "includes"))
    if not includes and not tag_includes:
        return "a push filter has no branches.includes"
    return ""


def _unfiltered_sources(props: Any) -> Iterator[_pipeline.Action]:
    """Git source actions that detect changes with no branch: without triggers, they start on any push."""
    for action in _pipeline.actions(props):
        if action.category != "Source" or action.provider not in _GIT_PROVIDERS:
            continue
        if action.config("DetectChanges").lower() == "false":
            continue
        if not (action.config("BranchName") or action.config("Branch")):
            yield action


@resource_rule(
    "codepipeline-trigger-branch-filtered",
    types=[PIPELINE],
    description="V2 pipelines must start only on pushes to named branches, not on every push.",
    severity="low",
    remediation="Add triggers[].git_configuration.pushes[].branches.includes with the release branch (e.g. "
                "[\"main\"]), or set BranchName on the source action.",
    topic="pipeline",
)
def codepipeline_trigger_branch_filtered(args, cfg):
    if get(args.props, "pipelineType") != "V2":
        return
    triggers = as_list(get(args.props, "triggers"))
    if not triggers:
        for action in _unfiltered_sources(args.props):
            yield (f"{_pipeline.pipeline_label(args)}: source {action.label()} has no BranchName and the "
                   "pipeline has no triggers, so every push of every branch starts it; add a trigger with "
                   "branches.includes")
        return
    for index, trigger in enumerate(triggers):
        for push in _push_filters(trigger):
            problem = _push_problem(push)
            if problem:
                yield (f"{_pipeline.pipeline_label(args)}: trigger {index}: {problem}, so every push of "
                       "every branch starts it; list the release branches in branches.includes")
