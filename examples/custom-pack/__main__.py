"""A team's own pack from the aws-cicd-guardrails library: some of its rules, one re-levelled, one added."""
import aws_cicd_guardrails as guardrails

OWNED = ("aws:ecr/repository:Repository", "aws:s3/bucket:Bucket", "aws:ssm/parameter:Parameter")


@guardrails.resource_rule(
    "acme-owner-tag-required", types=OWNED, severity="medium", topic="tagging",
    description="Repositories, buckets and parameters name the team that owns them in an `owner` tag.",
    remediation="Set tags={'owner': '<team>'} on the resource.")
def owner_tag(args, cfg):
    if not (args.props.get("tags") or {}).get("owner"):
        yield f"{args.name} has no owner tag"


rules = guardrails.select("ecr-*", "s3-bucket-public-access-blocked", "acme-owner-tag-required")
rules = guardrails.relevel(rules, "advisory", "ecr-repository-scan-on-push")
guardrails.policy_pack("acme-guardrails", rules)
