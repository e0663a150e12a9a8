"""Stack rule: every pipeline has an enabled CodeStar notification rule that targets SNS."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Iterable, Optional

from ._common import as_list, get
from ._registry import stack_rule
from .stack_joins import dependency_urns, known_str

PIPELINE = "aws:codepipeline/pipeline:Pipeline"
NOTIFICATION_RULE = "aws:codestarnotifications/notificationRule:NotificationRule"


def _notifies_sns(props: Any) -> bool:
    if get(props, "status") == "DISABLED":
        return False
    # A target without a type is SNS (the provider's default). The address key, not its value: a topic's ARN
    # is unknown during a first preview.
    return any(isinstance(t, Mapping) and any(k == "address" for k in t)
               and get(t, "type") in (None, "", "SNS") for t in as_list(get(props, "targets")))


def _pipeline_name_of_arn(arn: str) -> Optional[str]:
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "codepipeline":
        return parts[5]
    return None


def _covered(resources: Iterable[Any]) -> tuple[set[str], set[str]]:
    """URNs and ARNs / names of the pipelines some SNS notification rule watches."""
    urns: set[str] = set()
    refs: set[str] = set()
    for r in resources:
        if r.resource_type != NOTIFICATION_RULE or not _notifies_sns(r.props):
            continue
        urns.update(dependency_urns(r, "resource"))
        ref = known_str(r, "resource")
        if ref:
            refs.add(ref)
            name = _pipeline_name_of_arn(ref)
            if name:
                refs.add(name)
    return urns, refs


@stack_rule(
    "codepipeline-notifications-configured",
    description="Every pipeline must have a CodeStar notification rule that sends its events to SNS.",
    severity="medium",
    remediation="Add an aws.codestarnotifications.NotificationRule with resource=pipeline.arn, the "
                "pipeline-execution failed/succeeded and manual-approval event ids, and an SNS target.",
    topic="observability",
)
def codepipeline_notifications_configured(args, cfg):
    pipelines = [r for r in args.resources if r.resource_type == PIPELINE]
    if not pipelines:
        return
    urns, refs = _covered(args.resources)
    for p in pipelines:
        # URN first: a pipeline's computed arn is unknown in a first preview.
        if p.urn in urns or (refs and (get(p.props, "name") in refs or get(p.props, "arn") in refs)):
            continue
        yield (p.urn, f"pipeline \"{p.name}\" has no notification rule with an SNS target; add an "
                      "aws.codestarnotifications.NotificationRule on its ARN that targets an SNS topic")
