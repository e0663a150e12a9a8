"""provider-input-schema: recorded wire inputs held against the provider SDK's declared input types.

What the provider refuses follows its Check: pulumi/pulumi-terraform-bridge `pkg/tfbridge/provider.go`
Check runs `makeTerraformInputs` then the Terraform provider's `ValidateResource`, whose
hashicorp/terraform-plugin-sdk `helper/schema/schema.go` `validateObject` reports "Invalid or unknown
key" and `validatePrimitive`/`validateList`/`validateMap` wrong kinds (the bridge's
`adapt_check_failures.go` turns them into CheckFailures). Annotations are read as pulumi/pulumi
`sdk/python/lib/pulumi/_types.py` reads them.
"""
from pathlib import Path
from types import SimpleNamespace

import pulumi_aws as aws
import pytest

from preflight import program, project
from preflight.schema import check as check_mod
from preflight.schema.check import check_registrations
from preflight.schema.resolve import args_class, resolve
from preflight.schema.shapes import Catalog
from preflight.schema.walk import Walker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG = "4dabf18193072939515e22adb298388d"
ASSET, ARCHIVE, SECRET, REF = ("c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7",
                               "1b47061264138c4ac30d75fd1eb44270", "5cf8f73096256a8f31e491e813e4eb8e")
SERVICE, REPO, PROJECT = "aws:ecs/service:Service", "aws:ecr/repository:Repository", "aws:codebuild/project:Project"


def reg(type_: str, inputs: dict, name: str = "r", custom: bool = True):
    return SimpleNamespace(type=type_, urn=f"urn:pulumi:dev::p::{type_}::{name}", name=name, custom=custom,
                           inputs=inputs)


def found(type_: str, inputs: dict) -> list[tuple[str, str]]:
    result = check_registrations([reg(type_, inputs)])
    assert result.unchecked == {}
    return [(f["path"], f["message"]) for f in result.findings]


def secret(value):
    return {SIG: SECRET, "value": value}


def test_the_three_measured_typos_are_caught_in_the_recorded_inputs():
    """The fixture's inputs as the mock monitor records them: the SDK passed every misspelt key through."""
    run = program.run_program(project.load(FIXTURES / "schema_typo", "dev"), "preview")
    result = check_registrations(run.monitor.registrations.values())
    by_name = sorted((f["urn"].rsplit("::", 1)[1], f["path"], f["message"]) for f in result.findings)
    assert by_name == [
        ("orders", "imageScanningConfiguration.scanOnPush", "required key is missing"),
        ("orders", "imageScanningConfiguration.scan_on_pushh", "unknown key; did you mean 'scanOnPush'?"),
        ("web", "capacityProviderStrategies[0].bogus_key",
         "unknown key (known keys: base, capacityProvider, weight)"),
        ("web", "deploymentConfiguration.strategyy", "unknown key; did you mean 'strategy'?"),
    ]
    assert (result.resources, result.resource_types, result.unchecked) == (2, 2, {})


def test_wrong_kinds_are_what_the_bridge_cannot_coerce():
    """makeTerraformInput ParseInts a string for TypeInt; WeakDecode turns numbers and "true" into bools."""
    assert found(SERVICE, {"desiredCount": "three"}) == [("desiredCount", "expected a whole number, got 'three'")]
    assert found(SERVICE, {"desiredCount": True}) == [("desiredCount", "expected a whole number, got True")]
    assert found(SERVICE, {"desiredCount": 3.0, "forceNewDeployment": "true", "name": 7}) == []
    assert found(SERVICE, {"desiredCount": "3", "enableExecuteCommand": 1.0}) == []
    assert found(SERVICE, {"enableExecuteCommand": "yes"}) == [("enableExecuteCommand", "expected a bool, got 'yes'")]
    assert found(SERVICE, {"tags": ["a"], "deploymentConfiguration": [{"strategy": "ROLLING"}]}) == [
        ("tags", "expected a map, got a list"), ("deploymentConfiguration", "expected an object, got a list")]
    assert found(SERVICE, {"loadBalancers": {"containerName": "app"}, "cluster": ["a"]}) == [
        ("loadBalancers", "expected a list, got an object"), ("cluster", "expected a string, got a list")]
    assert found(SERVICE, {"tags": {"team": {"a": 1}}}) == [("tags.team", "expected a string, got an object")]


def test_required_keys_missing_nested_and_top_level():
    """Non-Optional properties of an input type: Terraform's "required field is not set"."""
    environment = {"image": "aws/codebuild/standard:7.0", "type": "LINUX_CONTAINER"}
    assert found(PROJECT, {"environment": environment, "serviceRole": "arn", "source": {"type": "CODEPIPELINE"}}) \
        == [("environment.computeType", "required key is missing"), ("artifacts", "required key is missing")]
    assert found(SERVICE, {"capacityProviderStrategies": [{"weight": 1.0}, {"capacityProvider": None}]}) == [
        ("capacityProviderStrategies[0].capacityProvider", "required key is missing"),
        ("capacityProviderStrategies[1].capacityProvider", "required key is missing")]


def test_assets_archives_secrets_unknowns_and_references_pass_and_secrets_are_checked_inside():
    function = {"role": "arn:aws:iam::111111111111:role/f", "code": {SIG: ARCHIVE, "path": "."},
                "environment": {"variables": {"A": secret("x"), "B": UNKNOWN}}, "kmsKeyArn": {SIG: REF, "urn": "u"}}
    assert found("aws:lambda/function:Function", function) == []
    assert found("aws:s3/bucketObject:BucketObject", {"bucket": UNKNOWN, "source": {SIG: ASSET, "path": "a"}}) == []
    assert found(SERVICE, {"deploymentConfiguration": UNKNOWN, "capacityProviderStrategies": [UNKNOWN]}) == []
    assert found(SERVICE, {"desiredCount": secret("three"), "deploymentConfiguration": secret({"strategyy": 1})}) \
        == [("desiredCount", "expected a whole number, got 'three'"),
            ("deploymentConfiguration.strategyy", "unknown key; did you mean 'strategy'?")]


def test_an_sdk_enum_beside_a_plain_string_is_not_held_to_the_sdk_enum():
    """pulumi-aws types runtime `Union[str, Runtime]` and the bridge's type checker skips enum types
    (pkg/tfbridge/typechecker/typechecker.go getType); its Runtime enum even lists 'dotnet7', which AWS
    does not. The AWS values are checked in preflight's process instead (test_provider_schema_enums.py)."""
    assert "dotnet7" in {r.value for r in aws.lambda_.Runtime}
    assert found("aws:lambda/function:Function", {"role": "r", "runtime": "python9.9"}) == []


def test_providers_and_components_are_not_checked():
    result = check_registrations([reg("pulumi:providers:aws", {"version": "7", "regionn": "x"}),
                                  reg("my:mod:Thing", {"anything": 1}, custom=False)])
    assert (result.findings, result.unchecked, result.resources) == ([], {}, 0)


def test_an_unresolvable_type_is_listed_never_a_violation():
    result = check_registrations([reg("random:index/randomString:RandomString", {"lengthh": 3}),
                                  reg("aws:nosuch/thing:Thing", {"x": 1}), reg(SERVICE, {"desiredCount": 1.0})])
    assert result.findings == []
    assert result.unchecked == {
        "random:index/randomString:RandomString":
            "no installed package registers resource module random:index/randomString",
        "aws:nosuch/thing:Thing": "no installed package registers resource module aws:nosuch/thing"}
    assert (result.resources, result.resource_types) == (1, 1)


def test_the_args_class_comes_from_the_resource_not_its_name():
    """Resource BucketVersioning takes BucketVersioningInitArgs; BucketVersioningArgs is a nested type."""
    assert args_class(aws.s3.BucketVersioning) is aws.s3.BucketVersioningInitArgs
    assert resolve("aws:s3/bucketVersioning:BucketVersioning").args_cls is aws.s3.BucketVersioningInitArgs
    inputs = {"bucket": "b", "versioningConfiguration": {"status": "Enabled"}}
    assert found("aws:s3/bucketVersioning:BucketVersioning", inputs) == []
    # Read by name, the nested type would have refused the resource's own inputs.
    wrong = list(Walker(Catalog()).check_object(inputs, aws.s3.BucketVersioningArgs, ""))
    assert wrong == [("bucket", "unknown key (known keys: enabled, mfaDelete)"),
                     ("versioningConfiguration", "unknown key (known keys: enabled, mfaDelete)")]


def test_a_crash_inside_the_check_is_one_unchecked_note(monkeypatch):
    def broken(token):
        raise RuntimeError("registry exploded")

    monkeypatch.setattr(check_mod, "resolve", broken)
    result = check_registrations([reg(SERVICE, {"desiredCount": "three"})])
    assert result.findings == []
    assert result.unchecked == {"(all)": "the check failed: RuntimeError: registry exploded"}


def test_one_type_the_walk_cannot_read_leaves_the_others_checked(monkeypatch):
    real = Walker.check_object

    def picky(self, value, cls, path):
        if cls is aws.ecr.RepositoryArgs:
            raise TypeError("odd annotation")
        return real(self, value, cls, path)

    monkeypatch.setattr(Walker, "check_object", picky)
    result = check_registrations([reg(REPO, {"x": 1}), reg(SERVICE, {"desiredCount": "three"})])
    assert result.unchecked == {REPO: "the check failed: TypeError: odd annotation"}
    assert [f["path"] for f in result.findings] == ["desiredCount"]


def test_the_host_reports_a_check_it_cannot_import_as_unchecked(monkeypatch):
    import sys

    from preflight import host
    monkeypatch.setitem(sys.modules, "preflight.schema.check", None)
    assert host._schema([], []) == {"unchecked": {
        "(all)": "the check cannot run here: ModuleNotFoundError: import of preflight.schema.check halted; "
                 "None in sys.modules"}}


@pytest.fixture
def acme(monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES / "schema_pkg"))
    import pulumi_acme
    return pulumi_acme


def test_a_non_aws_package_is_resolved_through_its_own_registration(acme):
    """No pulumi_random in this venv: pulumi_acme is laid out and registers itself as generated SDKs do."""
    assert resolve("acme:index/widget:Widget").args_cls is acme.WidgetArgs
    assert resolve("acme:index/gadget:Gadget").args_cls is acme.GadgetInitArgs
    assert found("acme:index/widget:Widget", {"color": "red", "size": {"width": 2.0}, "labels": {"a": "b"}}) == []
    assert found("acme:index/widget:Widget", {"color": "bleu", "size": {"widht": 2.0}}) == [
        ("color", "'bleu' is not a Color value ('red', 'blue'); did you mean 'blue'?"),
        ("size.widht", "unknown key; did you mean 'width'?"), ("size.width", "required key is missing")]
    assert found("acme:index/gadget:Gadget", {}) == [("serial", "required key is missing")]
    assert resolve("acme:index/nothing:Nothing").reason == \
        "no installed package registers resource module acme:index/nothing"


def test_without_typing_overloads_the_args_class_comes_from_the_modules_all(monkeypatch):
    """Python < 3.11 keeps no overloads; the generated module's __all__ is the resource and its args."""
    import typing
    monkeypatch.delattr(typing, "get_overloads")
    assert args_class(aws.s3.BucketVersioning) is aws.s3.BucketVersioningInitArgs
    assert args_class(aws.ecs.Service) is aws.ecs.ServiceArgs


def test_a_missing_required_key_is_listed_not_flagged_when_invokes_went_unanswered():
    """pulumi/examples aws-py-fargate: `subnets` comes from ec2.get_subnets, which preflight cannot answer
    offline, so the real preview would have it: docs/examples.md reviewed the finding as a false positive."""
    service = reg("aws:ecs/service:Service", {"name": "app", "networkConfiguration": {"assignPublicIp": True}})
    result = check_registrations([service], ["aws:ec2/getSubnets:getSubnets"])
    assert result.findings == []
    assert result.unchecked == {"aws:ecs/service:Service r networkConfiguration.subnets": (
        "required key is missing, but the program made invokes preflight cannot answer offline "
        "(aws:ec2/getSubnets:getSubnets); their results may fill it")}
    typo = reg("aws:ecs/service:Service", {"name": "app", "launchTyp": "FARGATE"})
    assert [f["path"] for f in check_registrations([typo], ["aws:ec2/getSubnets:getSubnets"]).findings] == [
        "launchTyp"]
    assert [f["path"] for f in check_registrations([service]).findings] == ["networkConfiguration.subnets"]


def test_a_form_the_provider_documents_beyond_its_sdk_types_is_accepted(acme, monkeypatch):
    """pulumi-docker provider/image.go marshalBuildAndApplyDefaults takes `build` as a string (the context)
    though its SDK types it as DockerBuildArgs; such forms are listed in check.PROVIDER_ACCEPTS."""
    assert found("acme:index/widget:Widget", {"color": "red", "size": "large"}) != []
    monkeypatch.setitem(check_mod.PROVIDER_ACCEPTS, ("acme:index/widget:Widget", "size"), str)
    assert found("acme:index/widget:Widget", {"color": "red", "size": "large"}) == []
    assert found("acme:index/widget:Widget", {"color": "red", "size": 3}) != []
    assert check_mod.PROVIDER_ACCEPTS[("docker:index/image:Image", "build")] is str
