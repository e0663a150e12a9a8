"""Drives the policy pack through the real Analyzer gRPC protocol, as the Pulumi CLI does.

One pack process per test worker; every call sends its own (reconciled) config first.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import pytest

from preflight import pack_config
from preflight.analyzer import Options, PolicyPackClient, Provider, Resource, Result, policy_infos

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies"
PROJECT = "aws-cicd-platform"


def urn(type_: str, name: str, stack: str = "dev", parent_types: Sequence[str] = ()) -> str:
    qualified = "$".join([*parent_types, type_])
    return f"urn:pulumi:{stack}::{PROJECT}::{qualified}::{name}"


def aws_provider(account: str = "222222222222", name: str = "prod-provider", stack: str = "dev") -> Provider:
    """An explicit aws.Provider as the engine sends it (object inputs as JSON strings)."""
    import json
    return Provider(type="pulumi:providers:aws", name=name, urn=urn("pulumi:providers:aws", name, stack),
                    properties={"region": "eu-west-1",
                                "assumeRoles": json.dumps([{"roleArn": f"arn:aws:iam::{account}:role/bootstrap"}]),
                                "allowedAccountIds": json.dumps([account])})


def resource(type_: str, props: Mapping[str, Any], name: str = "subject", *, options: Optional[Options] = None,
             provider: Optional[Provider] = None, parent: str = "", stack: str = "dev",
             dependencies: Sequence[str] = (), property_dependencies: Optional[Mapping] = None) -> Resource:
    return Resource(type=type_, name=name, urn=urn(type_, name, stack), properties=dict(props),
                    options=options or Options(), provider=provider if provider is not None else aws_provider(),
                    parent=parent, dependencies=dependencies, property_dependencies=property_dependencies or {})


class Pack:
    def __init__(self, client: PolicyPackClient) -> None:
        self.client = client
        self.infos = policy_infos(client.info())

    def configure(self, config: Optional[Mapping[str, Any]] = None) -> None:
        self.client.configure(pack_config.reconcile(self.infos, pack_config.normalise(config or {})))

    def analyze(self, r: Resource, config: Optional[Mapping[str, Any]] = None) -> Result:
        self.configure(config)
        return self.client.analyze(r)

    def analyze_stack(self, resources: Sequence[Resource], config: Optional[Mapping[str, Any]] = None) -> Result:
        self.configure(config)
        return self.client.analyze_stack(resources)

    def check(self, type_: str, props: Mapping[str, Any], config: Optional[Mapping[str, Any]] = None,
              **kwargs) -> Result:
        """Analyze one resource of `type_` with `props`."""
        return self.analyze(resource(type_, props, **kwargs), config)


@pytest.fixture(scope="session")
def pack() -> Pack:
    with PolicyPackClient(PACK_DIR) as client:
        yield Pack(client)
