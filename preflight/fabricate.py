"""Provider-computed values, fabricated the way AWS would shape them.

Used by the mocks: auto-names (known already in a preview, the provider's Check sets them)
and, for `--mode up`, ids, ARNs and the few computed attributes programs commonly read
(repository URLs, DNS names, key ids). Everything is derived from the URN so runs repeat.
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import typing
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Optional

from pulumi.runtime.rpc import get_resource_module


# Varies what AWS makes up (uuids, random id parts) between runs, never what follows from known inputs
# (names, accounts, regions): preflight judges known parts by two `up` runs with different salts.
SALT_ENV = "PREFLIGHT_FABRICATE_SALT"
SALT = os.environ.get(SALT_ENV, "")


@dataclass(frozen=True)
class Place:
    account: str
    region: str
    partition: str = "aws"


def digest(urn: str, length: int, salt: str = "") -> str:
    return hashlib.sha256((salt + urn).encode()).hexdigest()[:length]


def stable_uuid(urn: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, SALT + urn))


@lru_cache(maxsize=None)
def _classes(type_: str) -> tuple[Optional[type], Optional[type]]:
    """(resource class, its Args class) from the SDK package's own type registry."""
    pkg, _, rest = type_.partition(":")
    try:
        importlib.import_module(f"pulumi_{pkg.replace('-', '_')}")  # registers the package's modules
        module = get_resource_module(pkg, rest.split(":")[0], "")
        info = getattr(module, "mod_info", None) or {}
        cls_name = info.get("classes", {}).get(type_)
        if not cls_name:
            return None, None
        mod_obj = importlib.import_module(info["fqn"])
        return getattr(mod_obj, cls_name, None), getattr(mod_obj, f"{cls_name}Args", None)
    except Exception:  # noqa: BLE001 - an unknown package simply gets no auto-name
        return None, None


def has_output(type_: str, prop: str) -> bool:
    cls = _classes(type_)[0]
    return cls is None or isinstance(getattr(cls, prop, None), property)


@lru_cache(maxsize=None)
def autoname_property(type_: str) -> Optional[str]:
    """The property the provider auto-names (`name`, or `bucket` for S3), when the program may omit it."""
    args_cls = _classes(type_)[1]
    params = inspect.signature(args_cls.__init__).parameters if args_cls else {}
    if "bucket_prefix" in params:
        return "bucket"
    name = params.get("name")
    return "name" if name is not None and name.default is None else None


def autoname(type_: str, name: str, urn: str, inputs: dict[str, Any]) -> dict[str, str]:
    """`{prop: "<name>-<7 hex>"}` when the provider would generate the physical name."""
    prop = autoname_property(type_)
    if prop is None or inputs.get(prop) is not None:
        return {}
    prefix = inputs.get(f"{prop}Prefix")
    if isinstance(prefix, str):
        return {prop: prefix + digest(urn, 26)}
    physical = f"{name}-{digest(urn, 7)}"
    return {prop: physical.lower() if prop == "bucket" else physical}


@lru_cache(maxsize=None)
def string_outputs(type_: str) -> frozenset[str]:
    """Wire names of the resource's outputs the SDK types as a string (`Output[str]`)."""
    cls = _classes(type_)[0]
    names = set()
    for attr in vars(cls).values() if cls is not None else ():
        getter = getattr(attr, "fget", None)
        wire = getattr(getter, "_pulumi_name", None)
        try:
            hint = typing.get_type_hints(getter).get("return") if wire else None
        except Exception:  # noqa: BLE001 - an unresolvable annotation is simply not a string output
            continue
        if hint is not None and typing.get_args(hint) == (str,):
            names.add(wire)
    return frozenset(names)


def documents_as_strings(type_: str, inputs: dict[str, Any]) -> dict[str, str]:
    """Objects given for string properties (a policy document as a dict or PolicyDocumentArgs), as the
    provider's Check leaves them: JSON text. Unknown or secret parts leave the value as it is."""
    out = {}
    for key, value in inputs.items():
        if isinstance(value, (dict, list)) and key in string_outputs(type_):
            text = json.dumps(value)
            if _UNKNOWN_TEXT not in text and _SECRET_SIG not in text:
                out[key] = text
    return out


_UNKNOWN_TEXT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def _arn(p: Place, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
    return f"arn:{p.partition}:{service}:{p.region if region else ''}:{p.account if account else ''}:{resource}"


def _hex(urn: str, n: int) -> str:
    return digest(urn, n, "id" + SALT)


# type → (arn builder, which value is the id: "name" | "arn" | "uid" | callable)
_Spec = tuple[Callable[[Place, str, str, dict], str], Any]
ARNS: dict[str, _Spec] = {
    "aws:iam/role:Role": (lambda p, n, u, i: _arn(p, "iam", f"role{i.get('path') or '/'}{n}", region=False), "name"),
    "aws:iam/policy:Policy": (lambda p, n, u, i: _arn(p, "iam", f"policy{i.get('path') or '/'}{n}", region=False),
                              "arn"),
    "aws:iam/user:User": (lambda p, n, u, i: _arn(p, "iam", f"user/{n}", region=False), "name"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (
        lambda p, n, u, i: _arn(p, "iam", "oidc-provider/" + str(i.get("url", n)).removeprefix("https://"),
                                region=False), "arn"),
    "aws:s3/bucket:Bucket": (lambda p, n, u, i: _arn(p, "s3", n, region=False, account=False), "name"),
    "aws:s3/bucketV2:BucketV2": (lambda p, n, u, i: _arn(p, "s3", n, region=False, account=False), "name"),
    "aws:kms/key:Key": (lambda p, n, u, i: _arn(p, "kms", f"key/{stable_uuid(u)}"), "uid"),
    "aws:kms/alias:Alias": (lambda p, n, u, i: _arn(p, "kms", n), "name"),
    "aws:ecr/repository:Repository": (lambda p, n, u, i: _arn(p, "ecr", f"repository/{n}"), "name"),
    "aws:codebuild/project:Project": (lambda p, n, u, i: _arn(p, "codebuild", f"project/{n}"), "arn"),
    "aws:cloudwatch/logGroup:LogGroup": (lambda p, n, u, i: _arn(p, "logs", f"log-group:{n}"), "name"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (lambda p, n, u, i: _arn(p, "cloudwatch", f"alarm:{n}"), "name"),
    "aws:codepipeline/pipeline:Pipeline": (lambda p, n, u, i: _arn(p, "codepipeline", n), "name"),
    "aws:codestarconnections/connection:Connection": (
        lambda p, n, u, i: _arn(p, "codeconnections", f"connection/{stable_uuid(u)}"), "arn"),
    "aws:codestarnotifications/notificationRule:NotificationRule": (
        lambda p, n, u, i: _arn(p, "codestar-notifications", f"notificationrule/{_hex(u, 40)}"), "arn"),
    "aws:sns/topic:Topic": (lambda p, n, u, i: _arn(p, "sns", n), "arn"),
    "aws:sqs/queue:Queue": (lambda p, n, u, i: _arn(p, "sqs", n), "arn"),
    "aws:ecs/cluster:Cluster": (lambda p, n, u, i: _arn(p, "ecs", f"cluster/{n}"), "arn"),
    "aws:ecs/service:Service": (lambda p, n, u, i: _arn(p, "ecs", f"service/{n}"), "arn"),
    "aws:ecs/taskDefinition:TaskDefinition": (
        lambda p, n, u, i: _arn(p, "ecs", f"task-definition/{i.get('family', n)}:1"), "family"),
    "aws:lb/loadBalancer:LoadBalancer": (
        lambda p, n, u, i: _arn(p, "elasticloadbalancing", f"loadbalancer/app/{n}/{_hex(u, 16)}"), "arn"),
    "aws:lb/targetGroup:TargetGroup": (
        lambda p, n, u, i: _arn(p, "elasticloadbalancing", f"targetgroup/{n}/{_hex(u, 16)}"), "arn"),
    "aws:lb/listener:Listener": (
        lambda p, n, u, i: _arn(p, "elasticloadbalancing", f"listener/app/{n}/{_hex(u, 16)}/{_hex(u, 17)[1:]}"),
        "arn"),
    "aws:codedeploy/application:Application": (lambda p, n, u, i: _arn(p, "codedeploy", f"application:{n}"),
                                               "name"),
    "aws:codedeploy/deploymentGroup:DeploymentGroup": (
        lambda p, n, u, i: _arn(p, "codedeploy", f"deploymentgroup:{i.get('appName', '')}/{n}"), "uid"),
    "aws:lambda/function:Function": (lambda p, n, u, i: _arn(p, "lambda", f"function:{n}"), "name"),
    "aws:lambda/alias:Alias": (
        lambda p, n, u, i: _arn(p, "lambda", f"function:{i.get('functionName', '')}:{n}"), "arn"),
    "aws:ssm/parameter:Parameter": (lambda p, n, u, i: _arn(p, "ssm", "parameter/" + n.lstrip("/")), "name"),
    "aws:secretsmanager/secret:Secret": (
        lambda p, n, u, i: _arn(p, "secretsmanager", f"secret:{n}-{_hex(u, 6)}"), "arn"),
    "aws:ec2/securityGroup:SecurityGroup": (
        lambda p, n, u, i: _arn(p, "ec2", f"security-group/sg-{_hex(u, 17)}"), lambda a: a.rsplit("/", 1)[1]),
    "aws:cloudwatch/eventRule:EventRule": (lambda p, n, u, i: _arn(p, "events", f"rule/{n}"), "name"),
}


# pulumi-random's generated strings: made up by the provider, so they vary with the salt.
RANDOM_RESULTS = ("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString")


def _random_result(urn: str, inputs: dict[str, Any]) -> str:
    length = inputs.get("length")
    length = int(length) if isinstance(length, (int, float)) and 0 < length <= 512 else 16
    return (digest(urn, 64, "random" + SALT) * 8)[:length]


def physical_name(type_: str, name: str, inputs: dict[str, Any]) -> str:
    for prop in ("name", "bucket", "family", "functionName", "deploymentGroupName", "clusterName"):
        value = inputs.get(prop)
        if isinstance(value, str) and value:
            return value
    return name


def identity(type_: str, name: str, urn: str, inputs: dict[str, Any], place: Place) -> tuple[str, dict[str, Any]]:
    """(id, computed outputs) of a created resource in `place`."""
    physical = physical_name(type_, name, inputs)
    spec = ARNS.get(type_)
    if spec is None:
        if type_ in RANDOM_RESULTS:
            return f"{name}-{_hex(urn, 8)}", {"result": _random_result(urn, inputs)}
        if not type_.startswith("aws:"):
            return f"{name}-{_hex(urn, 8)}", {}
        if not has_output(type_, "arn"):
            return physical, {}
        service, resource = type_.split(":")[1].split("/")[0], type_.rsplit(":", 1)[1].lower()
        return physical, {"arn": _arn(place, service, f"{resource}/{physical}")}
    build, id_kind = spec
    arn = build(place, physical, urn, inputs)
    if callable(id_kind):
        resource_id = id_kind(arn)
    else:
        resource_id = {"name": physical, "arn": arn, "uid": stable_uuid(urn)}.get(id_kind) or inputs.get(id_kind) \
            or physical
    return resource_id, {"arn": arn, **_extras(type_, physical, arn, urn, place)}


def _extras(type_: str, physical: str, arn: str, urn: str, p: Place) -> dict[str, Any]:
    suffix = "amazonaws.com.cn" if p.partition == "aws-cn" else "amazonaws.com"
    if type_ == "aws:ecr/repository:Repository":
        return {"repositoryUrl": f"{p.account}.dkr.ecr.{p.region}.{suffix}/{physical}", "registryId": p.account}
    if type_ == "aws:kms/key:Key":
        return {"keyId": arn.rsplit("/", 1)[1]}
    if type_ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        return {"bucketDomainName": f"{physical}.s3.{suffix}", "region": p.region,
                "bucketRegionalDomainName": f"{physical}.s3.{p.region}.{suffix}"}
    if type_ == "aws:lb/loadBalancer:LoadBalancer":
        return {"dnsName": f"{physical}-{int(_hex(urn, 8), 16) % 10**10}.{p.region}.elb.{suffix}",
                "arnSuffix": arn.split(":loadbalancer/", 1)[1], "zoneId": "Z35SXDOTRQ7X7K"}
    if type_ == "aws:lb/targetGroup:TargetGroup":
        return {"arnSuffix": arn.rsplit(":", 1)[1]}
    if type_ == "aws:lambda/function:Function":
        return {"invokeArn": f"arn:{p.partition}:apigateway:{p.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
                "qualifiedArn": f"{arn}:1", "version": "1"}
    if type_ == "aws:iam/role:Role":
        return {"uniqueId": "AROA" + _hex(urn, 17).upper()}
    if type_ == "aws:ecs/taskDefinition:TaskDefinition":
        return {"revision": 1, "arnWithoutRevision": arn.rsplit(":", 1)[0]}
    return {}
