"""BuildProject: a CodeBuild project run by a service's pipeline (image build, zip package or integration test)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import TYPE_PREFIX, Account
from components.arns import codebuild_project_arn, log_group_arn, role_arn
from components.documents import iam
from components.documents.pipeline_policies import BuildAccess, build_role_policy
from components.documents.service_trust import service_trust
from components.workload_names import physical_name

PURPOSES = ("image", "package", "integration-test")


@dataclass(frozen=True)
class BuildProjectArgs:
    account: Account                      # tooling
    prefix: str
    service: str
    purpose: str                          # one of PURPOSES
    buildspec: pulumi.Input[str]
    pipeline_name: str                    # artifacts (and the S3 cache) live under its 20-char prefix
    artifact_bucket_name: pulumi.Input[str]
    artifact_bucket_arn: pulumi.Input[str]
    artifact_key_arn: pulumi.Input[str]
    compute_type: str
    image: str
    cache_mode: str                       # "local" | "s3"
    timeout_minutes: int
    log_retention_days: int
    protect: bool
    repository_arn: Optional[pulumi.Input[str]] = None     # image builds push here
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)   # non-secret values only
    parameter_names: Sequence[str] = ()  # SSM parameters the buildspec reads (env.parameter-store)
    secret_ids: Sequence[str] = ()       # Secrets Manager ids the buildspec reads (env.secrets-manager)
    assume_role_arns: Sequence[str] = ()  # roles the build may assume (integration tests against staging)
    depends_on: Sequence[pulumi.Resource] = ()   # what the plain-string inputs name (bucket, repository)


def build_role_name(prefix: str, service: str, purpose: str) -> str:
    return physical_name(prefix, "tooling", service, purpose, "build")


def secret_arn(region: str, account_id: str, reference: str) -> str:
    """`name[:json-key]` -> the secret's ARN; AWS appends a 6-character suffix to every secret name."""
    return f"arn:aws:secretsmanager:{region}:{account_id}:secret:{reference.split(':')[0]}-??????"


def _cache(args: BuildProjectArgs) -> dict:
    if args.cache_mode == "s3":
        location = pulumi.Output.concat(args.artifact_bucket_name, f"/{args.pipeline_name[:20]}/cache/{args.purpose}")
        return {"type": "S3", "location": location}
    modes = ["LOCAL_SOURCE_CACHE", "LOCAL_CUSTOM_CACHE"]
    if args.purpose == "image":
        modes.insert(0, "LOCAL_DOCKER_LAYER_CACHE")
    return {"type": "LOCAL", "modes": modes}


class BuildProject(pulumi.ComponentResource):
    def __init__(self, name: str, args: BuildProjectArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if args.purpose not in PURPOSES:
            raise ValueError(f"purpose must be one of {PURPOSES}, got {args.purpose!r}")
        super().__init__(f"{TYPE_PREFIX}:BuildProject", name, None, opts)
        account = args.account
        physical = physical_name(args.prefix, "tooling", args.service, args.purpose)
        tags = {"service": args.service, "purpose": args.purpose}
        log_group_name = f"/aws/codebuild/{physical}"
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=log_group_name, retention_in_days=args.log_retention_days, tags=tags,
            opts=account.opts(self, protect=args.protect, retain_on_delete=args.protect))
        role_name = build_role_name(args.prefix, args.service, args.purpose)
        self.role = aws.iam.Role(
            f"{name}-role", name=role_name, tags=tags, opts=account.opts(self),
            assume_role_policy=iam.to_json(service_trust("codebuild.amazonaws.com", source_account=account.id)))
        parameter_arns = [f"arn:aws:ssm:{account.region}:{account.id}:parameter{n}" for n in args.parameter_names]
        secret_arns = [secret_arn(account.region, account.id, s) for s in args.secret_ids]
        policy = pulumi.Output.all(args.artifact_bucket_arn, args.artifact_key_arn, args.repository_arn or "").apply(
            lambda a: iam.to_json(build_role_policy(BuildAccess(
                log_group_arn=log_group_arn(account.id, account.region, log_group_name), artifact_bucket_arn=a[0],
                artifact_key_arn=a[1], artifact_prefix=args.pipeline_name[:20], repository_arn=a[2],
                parameter_arns=parameter_arns, secret_arns=secret_arns, assume_role_arns=args.assume_role_arns))))
        role_policy = aws.iam.RolePolicy(f"{name}-policy", role=self.role.name, policy=policy,
                                         opts=account.opts(self, depends_on=[log_group]))
        self.project = aws.codebuild.Project(
            f"{name}-project", name=physical, description=f"{args.service}: {args.purpose}",
            service_role=role_arn(account.id, role_name), build_timeout=args.timeout_minutes,
            encryption_key=args.artifact_key_arn,
            source={"type": "CODEPIPELINE", "buildspec": args.buildspec},
            artifacts={"type": "CODEPIPELINE", "encryption_disabled": False},
            environment={
                "type": "LINUX_CONTAINER", "compute_type": args.compute_type, "image": args.image,
                "image_pull_credentials_type": "CODEBUILD",
                # Docker-in-Docker needs privileged mode; only image builds get it.
                "privileged_mode": args.purpose == "image",
                "environment_variables": [{"name": k, "value": v, "type": "PLAINTEXT"}
                                          for k, v in sorted(args.variables.items())]},
            cache=_cache(args),
            logs_config={"cloudwatch_logs": {"status": "ENABLED", "group_name": log_group.name},
                         "s3_logs": {"status": "DISABLED"}},
            tags=tags, opts=account.opts(self, depends_on=[self.role, role_policy, log_group, *args.depends_on]))
        # Known in a preview; the pipeline that names them depends on `self.project`.
        self.project_name = physical
        self.project_arn = codebuild_project_arn(account.id, account.region, physical)
        self.role_arn = role_arn(account.id, role_name)
        self.register_outputs({"project_name": self.project_name, "project_arn": self.project_arn,
                               "role_arn": self.role_arn})
