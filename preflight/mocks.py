"""The engine's and the providers' side of a run, answered offline.

`--mode preview` behaves like a first `pulumi preview`: a new resource has no id and its
provider-computed outputs stay unknown (only inputs and auto-names are known). `--mode up`
fabricates ids, ARNs and computed attributes in the account and region of the resource's
provider. getAvailabilityZones answers from the invoking provider; the invokes of
preflight.offline_invokes answer when their answer is really known offline; any other invoke
gets an empty result and is listed as unanswered.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, Mapping, Optional

from pulumi.output import Unknown
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from preflight import fabricate, offline_invokes
from preflight.fabricate import Place

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


def _json_value(value: Any) -> Any:
    """Provider object inputs travel as JSON strings; config values are strings too."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value


def _role_arns(provider_inputs: Mapping[str, Any]) -> list[str]:
    arns = []
    for key in ("assumeRoles", "assumeRole"):
        value = _json_value(provider_inputs.get(key))
        for role in value if isinstance(value, list) else [value]:
            if isinstance(role, dict) and isinstance(role.get("roleArn"), str):
                arns.append(role["roleArn"])
    return arns


def place_of(provider_inputs: Mapping[str, Any], fallback: Place) -> Place:
    """Account from the provider's assume-role ARN (else its allowed account ids), region from it."""
    account = fallback.account
    arns = [a for a in _role_arns(provider_inputs) if a.count(":") >= 5 and UNKNOWN not in a]
    allowed = _json_value(provider_inputs.get("allowedAccountIds"))
    if arns:
        account = arns[0].split(":")[4] or account
    elif isinstance(allowed, list) and allowed and isinstance(allowed[0], str):
        account = allowed[0]
    region = provider_inputs.get("region")
    if not isinstance(region, str) or not region or region == UNKNOWN:
        region = fallback.region
    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") \
        else fallback.partition
    return Place(account=account, region=region, partition=partition)


class PreflightMocks(Mocks):
    """`provider_inputs(ref)` returns the recorded inputs of a provider reference ("urn::id")."""

    def __init__(self, mode: str, aws_config: Mapping[str, str],
                 provider_inputs: Optional[Callable[[str], Optional[Mapping[str, Any]]]] = None) -> None:
        self.mode = mode
        self.aws_config = dict(aws_config)
        self.default_place = place_of(aws_config, Place(DEFAULT_ACCOUNT, DEFAULT_REGION))
        self.provider_inputs = provider_inputs or (lambda ref: None)
        self.unanswered: list[str] = []
        self.stack_references: list[str] = []
        # A referenced stack's StackReference state ({"outputs", "secretOutputNames"}), None when unknown offline.
        self.stack_outputs: Callable[[str], Optional[dict]] = lambda name: None
        self._lock = threading.Lock()

    def place(self, provider_ref: Optional[str]) -> Place:
        inputs = self.provider_inputs(provider_ref) if provider_ref else None
        return place_of(inputs, self.default_place) if inputs is not None else self.default_place

    def checked_inputs(self, type_: str, name: str, urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """What the provider's Check adds before the engine analyzes a resource: auto-names, and documents
        given as objects where the provider takes a string."""
        try:
            documents = fabricate.documents_as_strings(type_, inputs)
        except TypeError:       # deserialised inputs holding Unknown values: left as the program gave them
            documents = {}
        return {**documents, **fabricate.autoname(type_, name, urn, inputs)}

    def new_resource(self, args: MockResourceArgs) -> tuple[Optional[str], dict]:
        if args.typ == STACK_REFERENCE_TYPE:
            return self._stack_reference(args)
        urn = getattr(args, "urn", "") or f"{args.typ}::{args.name}"
        state = {**args.inputs, **self.checked_inputs(args.typ, args.name, urn, args.inputs)}
        if args.typ.startswith("pulumi:providers:"):
            return ("" if self.mode == "preview" else fabricate.stable_uuid(urn)), state
        if not args.custom:
            return "", {}
        place = self.place(args.provider)
        tags = state.get("tags")
        default_tags = _json_value((self.provider_inputs(args.provider) or {}).get("defaultTags"))
        if isinstance(tags, dict) or isinstance(default_tags, dict):
            state["tagsAll"] = {**((default_tags or {}).get("tags") or {}), **(tags if isinstance(tags, dict) else {})}
        resource_id, computed = fabricate.identity(args.typ, args.name, urn, state, place)
        if self.mode == "preview":
            # A provider previews a create with its computed attributes unknown.
            return "", {**{key: Unknown() for key in computed}, **state}
        return resource_id, {**state, **computed, "id": resource_id}

    def _stack_reference(self, args: MockResourceArgs) -> tuple[str, dict]:
        """Another stack's outputs, when preflight has them (a stack of the run, --stack-outputs); else
        the reference is listed and reads as empty."""
        stack = str(args.inputs.get("name") or args.resource_id or args.name)
        answer = self.stack_outputs(stack)
        if answer is not None:
            return stack, {"name": stack, **answer}
        with self._lock:
            if stack not in self.stack_references:
                self.stack_references.append(stack)
        return stack, {"name": stack, "outputs": {}, "secretOutputNames": []}

    def call(self, args: MockCallArgs) -> dict:
        token = args.token
        inputs = self.provider_inputs(args.provider) if args.provider else None
        answer = offline_invokes.answer(token, args.args, self.aws_config if inputs is None else inputs)
        if answer is not None:
            return answer
        handler = _INVOKES.get(token)
        if handler is not None:
            return handler(self, args)
        with self._lock:
            if token not in self.unanswered:
                self.unanswered.append(token)
        return {}

    def _availability_zones(self, args: MockCallArgs) -> dict:
        region = self.place(args.provider).region
        names = [f"{region}{letter}" for letter in "abc"]
        short = "".join(w[0] for w in region.split("-")[:-1]) + region.rsplit("-", 1)[-1]
        return {"id": region, "names": names, "zoneIds": [f"{short}-az{i}" for i in range(1, 4)],
                "groupNames": [region]}


_INVOKES: dict[str, Callable[[PreflightMocks, MockCallArgs], dict]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": PreflightMocks._availability_zones,
}
