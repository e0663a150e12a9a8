"""CloudWatch Logs rules: every log group expires its events."""
from __future__ import annotations

from ._common import as_number, get
from ._registry import resource_rule

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@resource_rule(
    "logs-group-retention-set",
    types=[LOG_GROUP],
    description="CloudWatch log groups must set a retention period instead of keeping events forever.",
    severity="medium",
    remediation=("Set retention_in_days on the aws.cloudwatch.LogGroup "
                 "(e.g. 30 for builds, 365 for audit trails)."),
    topic="cost",
    anchors=["CKV_AWS_66"],
)
def logs_group_retention_set(args, cfg):
    value = get(args.props, "retentionInDays")
    days = as_number(value)
    # 0 is how the API spells "never expire".
    if days is None or days <= 0:
        shown = f"{days:g}" if days is not None else repr(value)
        setting = "no retentionInDays" if value is None else f"retentionInDays {shown}"
        yield (f"log group \"{args.name}\" has {setting}, so its events are kept forever; "
               "set retention_in_days (e.g. 30, 90 or 365)")
