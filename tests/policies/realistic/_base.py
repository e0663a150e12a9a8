"""Shared pieces of the realistic stack: accounts, providers, the resource builder, document helpers."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

import yaml

from preflight.analyzer import Options, Provider, Resource

PROJECT = "aws-cicd-platform"
REGION = "eu-west-1"
ACCOUNTS = {"tooling": "111111111111", "staging": "222222222222", "prod": "333333333333"}


def stack_urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_}::{name}"


def providers(stack: str = "prod") -> dict[str, Provider]:
    out = {}
    for role, account in ACCOUNTS.items():
        out[role] = Provider(
            type="pulumi:providers:aws", name=role, urn=stack_urn(stack, "pulumi:providers:aws", role),
            properties={"region": REGION, "allowedAccountIds": json.dumps([account]),
                        "assumeRoles": json.dumps([{"roleArn": f"arn:aws:iam::{account}:role/pulumi-bootstrap",
                                                    "sessionName": "pulumi"}]),
                        "defaultTags": json.dumps({"tags": {"owner": "platform-team"}})})
    return out


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def buildspec(repo_uri: str) -> str:
    tag = "$CODEBUILD_RESOLVED_SOURCE_VERSION"
    return yaml.safe_dump({"version": 0.2, "phases": {
        "install": {"commands": ["pip install -r requirements.txt"]},
        "pre_build": {"commands": ["python -m pytest -q",
                                   f"aws ecr get-login-password | docker login --username AWS "
                                   f"--password-stdin {repo_uri.split('/')[0]}"]},
        "build": {"commands": [f"docker build -t {repo_uri}:{tag} ."]},
        "post_build": {"commands": [f"docker push {repo_uri}:{tag}",
                                    f"printf '[{{\"name\":\"app\",\"imageUri\":\"{repo_uri}:{tag}\"}}]' "
                                    "> imagedefinitions.json"]}},
        "artifacts": {"files": ["imagedefinitions.json", "taskdef.json", "appspec.yaml"]}}, sort_keys=False)


@dataclass(frozen=True)
class Names:
    """The ARNs and names one service's resources refer to each other by."""
    service: str
    key_arn: str = field(init=False)
    bucket: str = field(init=False)
    repo_uri: str = field(init=False)
    topic_arn: str = field(init=False)
    pipeline_role: str = field(init=False)
    build_role: str = field(init=False)
    exec_role: str = field(init=False)
    deploy_role: dict = field(init=False)

    def __post_init__(self) -> None:
        s, tooling, prod = self.service, ACCOUNTS["tooling"], ACCOUNTS["prod"]
        values = {
            "key_arn": f"arn:aws:kms:{REGION}:{tooling}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "bucket": f"{s}-artifacts-{tooling}", "repo_uri": f"{tooling}.dkr.ecr.{REGION}.amazonaws.com/{s}",
            "topic_arn": f"arn:aws:sns:{REGION}:{tooling}:{s}-pipeline-events",
            "pipeline_role": f"arn:aws:iam::{tooling}:role/{s}-pipeline",
            "build_role": f"arn:aws:iam::{tooling}:role/{s}-build",
            "exec_role": f"arn:aws:iam::{prod}:role/{s}-prod-task-execution",
            "deploy_role": {env: f"arn:aws:iam::{ACCOUNTS[env]}:role/{s}-{env}-deploy" for env in ("staging", "prod")},
        }
        for k, v in values.items():
            object.__setattr__(self, k, v)


class Builder:
    """Collects resources of one service; `ref` records a property dependency on another resource."""

    def __init__(self, service: str, stack: str) -> None:
        self.service, self.stack = service, stack
        self.names = Names(service)
        self.providers = providers(stack)
        # The engine hands provider resources to the analyzer too (Analyze and AnalyzeStack).
        self.resources: list[Resource] = [
            Resource(type=p.type, name=p.name, urn=p.urn, properties=dict(p.properties))
            for p in self.providers.values()]
        self.by_name: dict[str, Resource] = {}

    def add(self, type_: str, name: str, account: str, props: dict[str, Any], *,
            deps: Optional[dict[str, list[str]]] = None, options: Optional[Options] = None) -> Resource:
        full = f"{self.service}-{name}"
        prop_deps = {k: [self.by_name[n].urn for n in names] for k, names in (deps or {}).items()}
        r = Resource(type=type_, name=full, urn=stack_urn(self.stack, type_, full), properties=props,
                     options=options or Options(), provider=self.providers[account],
                     dependencies=sorted({u for urns in prop_deps.values() for u in urns}),
                     property_dependencies=prop_deps)
        self.resources.append(r)
        self.by_name[name] = r
        return r

    def tags(self, env: str) -> dict[str, str]:
        return {"owner": "platform-team", "service": self.service, "environment": env}


