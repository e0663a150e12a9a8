"""How a service stack reads its foundation: one StackReference, behind a typed reader.

Everything a service stack names - accounts, prefix, networks, role and bucket ARNs - follows from its own config
and stays a plain string, known in a preview and usable in resource names (the ALB's ingress rules are named by
CIDR); the foundation must agree with it. What only the foundation's deployment knows - the KMS key ARNs - is
read. An output that is not known (a preview of a foundation not deployed yet, or an offline run that does not
have the foundation's outputs) leaves the values unknown and skips the checks; one that is known and disagrees
stops the program with a config error naming the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pulumi
from pulumi.output import Unknown

from components import foundation_exports as ex
from components.account import Account
from components.artifact_store import artifact_bucket_name
from components.arns import s3_bucket_arn, sns_topic_arn
from components.config import LoadedConfig, PlatformConfig
from components.config_error import ConfigError, show
from components.deploy_role import deploy_role_arn
from components.notifications import topic_name
from components.service_delivery import ENVIRONMENTS, Shared


@dataclass(frozen=True)
class FoundationOutputs:
    artifact_key_arn: pulumi.Output[str]
    notifications_key_arn: pulumi.Output[str]
    agreed: pulumi.Output[bool]       # fails the program when the foundation disagrees with this stack's config


def read_foundation(parent: pulumi.Resource, loaded: LoadedConfig) -> FoundationOutputs:
    cfg = loaded.platform
    reference = pulumi.StackReference("foundation", stack_name=cfg.foundation,
                                      opts=pulumi.ResourceOptions(parent=parent))
    this = f"{loaded.organization}/{loaded.project}/{loaded.stack}"
    checks = ((ex.SERVICE_STACKS, lambda v: _listed(cfg, this, v)),
              (ex.PREFIX, lambda v: _same(cfg, "prefix", v, cfg.prefix)),
              (ex.ACCOUNTS, lambda v: _same(cfg, "accounts", v, ex.accounts_value(cfg))),
              (ex.NETWORKS, lambda v: _same(cfg, "networks", v, ex.networks_value(cfg))))
    # One chain, each check after the one before: the first disagreement is the one reported, and it fails only
    # the Platform's outputs, which wait for it.
    agreed: pulumi.Output[bool] = pulumi.Output.from_input(True)
    for name, check in checks:
        agreed = pulumi.Output.all(agreed, reference.get_output(name)).apply(
            lambda pair, name=name, check=check: check(_present(pair[1], name, cfg.foundation)))

    def known(name: str) -> pulumi.Output[str]:
        return reference.get_output(name).apply(lambda v: pulumi.Output.from_input(Unknown()) if v is None else v)
    return FoundationOutputs(known(ex.ARTIFACT_KEY_ARN), known(ex.NOTIFICATIONS_KEY_ARN), agreed)


def _present(value: Any, name: str, foundation: str) -> Any:
    """A foundation output, or - outside a preview - a config error saying why it is missing."""
    if value is None and not pulumi.runtime.is_dry_run():
        raise ConfigError("foundation", f"must name a deployed foundation stack (scope: foundation): {foundation} "
                          f"exports no {name}; run `pulumi up` on it first", foundation)
    return value


def service_shared(parent: pulumi.Resource, loaded: LoadedConfig, accounts: dict[str, Account],
                   foundation: FoundationOutputs, moved_from: Sequence[pulumi.Alias]) -> Shared:
    """What the service's components use of the foundation: the names the foundation gave its bucket, topic
    and deploy roles (from this stack's config, which the foundation agrees with) and its key ARNs."""
    cfg, tooling = loaded.platform, accounts["tooling"]
    bucket = artifact_bucket_name(cfg.prefix, tooling.id, tooling.region)
    return Shared(config=cfg, stack=loaded.stack, parent=parent, accounts=accounts, bucket_name=bucket,
                  bucket_arn=s3_bucket_arn(bucket), key_arn=foundation.artifact_key_arn,
                  deploy_role_arns={env: deploy_role_arn(accounts[env].id, cfg.prefix, env) for env in ENVIRONMENTS},
                  topic_arn=sns_topic_arn(tooling.id, tooling.region, topic_name(cfg.prefix)),
                  topic_key_arn=foundation.notifications_key_arn, moved_from=list(moved_from))


def _listed(cfg: PlatformConfig, this: str, service_stacks: Any) -> bool:
    if service_stacks is None:
        return True
    service = cfg.services[0].name
    listed = service_stacks.get(service) if isinstance(service_stacks, dict) else None
    if listed != this:
        raise ConfigError("services[0].name", f"must be listed in serviceStacks of the foundation {cfg.foundation} "
                          f"with this stack ({this}); it lists {listed or 'no stack'} for it", service)
    return True


def _same(cfg: PlatformConfig, key: str, exported: Any, mine: Any) -> bool:
    if exported is None:
        return True
    path, theirs, ours = _first_difference(key, exported, mine)
    if path is not None:
        raise ConfigError(path, f"must equal the foundation's ({cfg.foundation} exports {show(theirs)})", ours)
    return True


def _first_difference(path: str, theirs: Any, ours: Any) -> tuple[Any, Any, Any]:
    if isinstance(theirs, dict) and isinstance(ours, dict):
        for key in sorted(set(theirs) | set(ours)):
            found = _first_difference(f"{path}.{key}", theirs.get(key), ours.get(key))
            if found[0] is not None:
                return found
        return None, None, None
    return (None, None, None) if theirs == ours else (path, theirs, ours)
