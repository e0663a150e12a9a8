"""`pulumi:disable-default-providers: [aws]` in every stack, and preflight refusing what the engine refuses.

The engine reads the stack config key as JSON text - a YAML list in the stack file reaches it as `["aws"]`
(pkg/workspace/config_project_test.go TestNamespacedConfigValuesAreInheritedCorrectly) - and denies a default
provider to a listed package or to `*` (pkg/resource/deploy/default_providers.go shouldDenyRequest). A custom
resource without an explicit provider then fails the deployment with diag 2015
(sdk/go/common/diag/errors.go GetDefaultProviderDenied, raised in pkg/resource/deploy/step_generator.go
loadResourceProvider); an invoke with the token in place of the URN (source_eval.go getProviderFromSource).
"""
from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from preflight import program
from preflight.monitor import DefaultProviderDeniedError, default_provider_denied
from tests.components.harness import PROD_LAYOUT
from tests.components.hygiene_runs import ROOT, run, run_stack, stack_spec

KEY = "pulumi:disable-default-providers"


STACKS = ["dev", *PROD_LAYOUT]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_disables_the_default_aws_provider(stack):
    written = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"][KEY]
    assert written == ["aws"]
    # What the CLI hands over (PULUMI_CONFIG): the list's JSON text, as the engine parses it.
    assert json.loads(stack_spec(stack).config[KEY]) == ["aws"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_runs_with_every_resource_on_an_explicit_provider(stack):
    registrations = run_stack(stack).monitor.registrations.values()
    assert [r.urn for r in registrations if r.options.get("default")] == []
    explicit = {r.urn for r in registrations if r.type == "pulumi:providers:aws"}
    assert len(explicit) == 3
    aws = [r for r in registrations if r.custom and r.type.startswith("aws:")]
    assert len(aws) > 25
    assert [r.urn for r in aws if r.provider.rsplit("::", 1)[0] not in explicit] == []


def _program(tmp_path, main: str, setting: str = "[aws]"):
    (tmp_path / "Pulumi.yaml").write_text("name: tiny\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(f"config:\n  {KEY}: {setting}\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(main))
    return stack_spec("dev", directory=tmp_path)


def test_a_resource_without_an_explicit_provider_fails_with_the_engines_message(tmp_path):
    spec = _program(tmp_path, """\
        import pulumi_aws as aws
        aws.s3.Bucket("logs")
        """)
    with pytest.raises(program.ProgramError) as raised:
        run(spec)
    assert "Default provider for 'aws' disabled. 'urn:pulumi:dev::tiny::aws:s3/bucket:Bucket::logs' must use " \
           "an explicit provider. (__main__.py:2)" in str(raised.value)


def test_a_component_child_that_forgot_the_provider_fails_and_explicit_ones_pass(tmp_path):
    spec = _program(tmp_path, """\
        import pulumi, pulumi_aws as aws
        tooling = aws.Provider("tooling", region="eu-west-1")
        class Store(pulumi.ComponentResource):
            def __init__(self, name, opts=None):
                super().__init__("my:store:Store", name, None, opts)
                aws.s3.Bucket(f"{name}-ok", opts=pulumi.ResourceOptions(parent=self, provider=tooling))
                aws.s3.Bucket(f"{name}-forgot", opts=pulumi.ResourceOptions(parent=self))
                self.register_outputs({})
        Store("store")
        """)
    with pytest.raises(program.ProgramError, match=r"Default provider for 'aws' disabled\. "
                       r"'urn:pulumi:dev::tiny::my:store:Store\$aws:s3/bucket:Bucket::store-forgot' must use an "
                       r"explicit provider\."):
        run(spec)


def test_an_invoke_without_a_provider_fails_with_its_token(tmp_path):
    spec = _program(tmp_path, """\
        import pulumi_aws as aws
        aws.get_caller_identity()
        """, setting='["*"]')
    with pytest.raises(program.ProgramError, match=r"Default provider for 'aws' disabled\. "
                       r"'aws:index/getCallerIdentity:getCallerIdentity' must use an explicit provider\."):
        run(spec)


def test_without_the_key_a_default_provider_is_still_registered(tmp_path):
    spec = _program(tmp_path, """\
        import pulumi_aws as aws
        aws.s3.Bucket("logs")
        """, setting='""')
    registrations = run(spec).monitor.registrations.values()
    (default,) = [r for r in registrations if r.options.get("default")]
    assert default.urn.startswith("urn:pulumi:dev::tiny::pulumi:providers:aws::default")


@pytest.mark.parametrize("setting,pkg,denied", [
    (None, "aws", False), ("", "aws", False), ('["aws"]', "aws", True), ('[" aws "]', "aws", True),
    ('["*"]', "aws", True), ('["gcp"]', "aws", False), ('["*"]', "pulumi", False), ('["aws", 2]', "aws", True),
])
def test_the_setting_is_read_as_the_engine_reads_it(setting, pkg, denied):
    assert default_provider_denied(pkg, setting) is denied


@pytest.mark.parametrize("setting,message", [
    ("aws", "Failed to parse aws"),
    ('["gcp", 2]', r"pulumi:disable-default-providers\[1\] must be a string"),
])
def test_a_malformed_setting_is_an_error_as_in_the_engine(setting, message):
    with pytest.raises(DefaultProviderDeniedError, match=message):
        default_provider_denied("aws", setting)
