"""Lambda rules through the analyzer: images, runtimes, environment secrets, permissions, prod releases."""
from __future__ import annotations

import pytest

from preflight.analyzer import UNKNOWN
from preflight.pack_config import PackConfigError
from tests.policies.conftest import resource, urn

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
ALIAS = "aws:lambda/alias:Alias"
APP = "aws:codedeploy/application:Application"
GROUP = "aws:codedeploy/deploymentGroup:DeploymentGroup"
COMPONENT = "acme:platform:LambdaCanaryService"
IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/thumbnails"


def the(result, policy):
    [d] = result.of(policy)
    return d


# ---- image, runtime, environment ----------------------------------------------------------

@pytest.mark.parametrize("image, reason", [(f"{IMAGE}:latest", "mutable :latest"), (IMAGE, "has no tag")])
def test_unpinned_function_image_violates(pack, image, reason):
    d = the(pack.check(FUNCTION, {"packageType": "Image", "imageUri": image}, name="thumbnails"),
            "lambda-function-image-pinned")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert f'function "thumbnails" image "{image}"' in d.message and reason in d.message


def test_digest_pinned_function_image_passes(pack):
    r = pack.check(FUNCTION, {"packageType": "Image", "imageUri": f"{IMAGE}@sha256:{'b' * 64}"})
    assert not r.of("lambda-function-image-pinned")


def test_deprecated_runtime_violates_with_date_and_successor(pack):
    d = the(pack.check(FUNCTION, {"runtime": "python3.9", "handler": "app.handler"}, name="thumbnails"),
            "lambda-function-runtime-supported")
    assert d.severity == "medium"
    assert '"python3.9", deprecated since 2025-12-15' in d.message and "python3.14" in d.message


def test_runtime_deprecation_dates_are_configurable(pack):
    policy = "lambda-function-runtime-supported"
    # Pinned through config so the compliant case does not expire with the built-in table.
    future = {policy: {"deprecatedRuntimes": {"python3.14": "2999-01-01"}}}
    assert not pack.check(FUNCTION, {"runtime": "python3.14"}, future).of(policy)
    config = {policy: {"deprecatedRuntimes": {"python3.14": "2020-01-01"}}}
    d = the(pack.check(FUNCTION, {"runtime": "python3.14"}, config), policy)
    assert "deprecated since 2020-01-01" in d.message
    later = {policy: {"deprecatedRuntimes": {"python3.9": "2999-01-01"}}}
    assert not pack.check(FUNCTION, {"runtime": "python3.9"}, later).of(policy)


def test_secret_environment_variable_violates(pack):
    env = {"variables": {"SLACK_WEBHOOK_TOKEN": "xoxb-1234567890-abcdef", "TABLE": "orders",
                         "DB_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:222222222222:secret:db"}}
    r = pack.check(FUNCTION, {"runtime": "python3.13", "environment": env}, name="notifier")
    d = the(r, "lambda-function-no-environment-secrets")
    assert d.severity == "critical" and "'SLACK_WEBHOOK_TOKEN'" in d.message and "xoxb" not in d.message


def test_known_secret_next_to_an_unknown_value_is_reported_in_preview(pack):
    env = {"variables": {"QUEUE_URL": UNKNOWN, "DB_PASSWORD": "hunter2"}}
    found = pack.check(FUNCTION, {"runtime": "python3.13", "environment": env}, name="orders").of(
        "lambda-function-no-environment-secrets")
    [violation] = [d for d in found if d.enforcement == "mandatory"]
    assert "'DB_PASSWORD'" in violation.message
    # ... and the rule still says it could not judge the unknown value.
    [advisory] = [d for d in found if d.enforcement == "advisory"]
    assert "environment.variables.QUEUE_URL" in advisory.message and "during preview" in advisory.message


def test_secret_references_in_environment_pass(pack):
    env = {"variables": {"DB_PASSWORD_PARAM": "/orders/prod/db-password", "TABLE": "orders"}}
    assert not pack.check(FUNCTION, {"environment": env}).of("lambda-function-no-environment-secrets")


# ---- permissions ---------------------------------------------------------------------------

def test_wildcard_principal_violates(pack):
    props = {"action": "lambda:InvokeFunction", "function": "thumbnails", "principal": "*"}
    d = the(pack.check(PERMISSION, props, name="public-invoke"), "lambda-permission-principal-scoped")
    assert (d.enforcement, d.severity) == ("mandatory", "critical")
    assert '"public-invoke"' in d.message and 'principal "*"' in d.message


def test_wildcard_principal_limited_to_an_organisation_passes(pack):
    props = {"action": "lambda:InvokeFunction", "function": "thumbnails", "principal": "*"}
    assert not pack.check(PERMISSION, {**props, "principalOrgId": "o-a1b2c3d4e5"}).of(
        "lambda-permission-principal-scoped")
    d = the(pack.check(PERMISSION, {**props, "principalOrgId": ""}, name="public-invoke"),
            "lambda-permission-principal-scoped")
    assert 'principal "*"' in d.message


def test_service_principal_without_source_violates(pack):
    d = the(pack.check(PERMISSION, {"function": "thumbnails", "principal": "s3.amazonaws.com"}),
            "lambda-permission-principal-scoped")
    assert "s3.amazonaws.com" in d.message and "source_arn" in d.message


@pytest.mark.parametrize("props", [
    {"principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::uploads", "sourceAccount": "222222222222"},
    {"principal": "events.amazonaws.com", "sourceArn": "arn:aws:events:eu-west-1:222222222222:rule/nightly"},
    {"principal": "222222222222"},
])
def test_scoped_principals_pass(pack, props):
    r = pack.check(PERMISSION, {"function": "thumbnails", **props})
    assert not r.of("lambda-permission-principal-scoped")


# ---- stack rule: prod functions released through alias + CodeDeploy ------------------------

def component(name="thumbnails-prod"):
    return resource(COMPONENT, {}, name=name)


def canary_service(name="thumbnails-prod", *, with_alias=True, with_group=True):
    """Function, alias, CodeDeploy application and deployment group, as LambdaCanaryService creates them."""
    parent = component(name)
    fn = resource(FUNCTION, {"name": name, "runtime": "python3.13", "publish": True}, name=name,
                  parent=parent.urn)
    out = [parent, fn]
    if with_alias:
        out.append(resource(ALIAS, {"name": "live", "functionName": UNKNOWN}, name=f"{name}-live",
                            parent=parent.urn, property_dependencies={"functionName": [fn.urn]}))
    if with_group:
        app = resource(APP, {"computePlatform": "Lambda"}, name=f"{name}-app", parent=parent.urn)
        group = {"appName": UNKNOWN, "deploymentGroupName": "canary",
                 "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}
        out += [app, resource(GROUP, group, name=f"{name}-group", parent=parent.urn,
                              property_dependencies={"appName": [app.urn]})]
    return out


def test_prod_function_with_alias_and_codedeploy_group_passes(pack):
    assert not pack.analyze_stack(canary_service()).of("lambda-prod-deployed-through-alias")


def test_prod_function_without_alias_or_group_violates(pack):
    r = pack.analyze_stack(canary_service(with_alias=False, with_group=False))
    d = the(r, "lambda-prod-deployed-through-alias")
    assert (d.enforcement, d.severity) == ("mandatory", "medium")
    assert d.urn == urn(FUNCTION, "thumbnails-prod")
    assert "no aws.lambda.Alias and no CodeDeploy deployment group" in d.message


def test_group_of_another_component_does_not_count(pack):
    lonely = canary_service("resize-prod", with_group=False)
    r = pack.analyze_stack(canary_service() + lonely)
    d = the(r, "lambda-prod-deployed-through-alias")
    assert d.urn == urn(FUNCTION, "resize-prod") and "no aws.lambda.Alias" not in d.message


def test_ecs_deployment_group_does_not_count(pack):
    stack = canary_service(with_group=False)
    app = resource(APP, {"computePlatform": "ECS"}, name="ecs-app", parent=stack[0].urn)
    stack += [app, resource(GROUP, {"appName": "ecs-app"}, name="ecs-group", parent=stack[0].urn,
                            property_dependencies={"appName": [app.urn]})]
    assert the(pack.analyze_stack(stack), "lambda-prod-deployed-through-alias")


def test_flat_program_joined_by_names(pack):
    fn = resource(FUNCTION, {"name": "thumbnails-prod"}, name="thumbnails-prod")
    arn = "arn:aws:lambda:eu-west-1:333333333333:function:thumbnails-prod"
    alias = resource(ALIAS, {"functionName": arn}, name="live")
    app = resource(APP, {"name": "thumbnails-prod-deploy", "computePlatform": "Lambda"}, name="app")
    group = resource(GROUP, {"appName": "thumbnails-prod-deploy",
                             "deploymentGroupName": "thumbnails-prod-canary"}, name="group")
    assert not pack.analyze_stack([fn, alias, app, group]).of("lambda-prod-deployed-through-alias")


def test_auto_named_function_joined_by_its_logical_name(pack):
    fn = resource(FUNCTION, {"name": "thumbnails-prod-5d2f04a"}, name="thumbnails-prod")
    alias = resource(ALIAS, {"name": "live", "functionName": "thumbnails-prod-5d2f04a"}, name="live")
    app = resource(APP, {"name": "thumbnails-prod", "computePlatform": "Lambda"}, name="app")
    group = resource(GROUP, {"appName": "thumbnails-prod", "deploymentGroupName": "thumbnails-prod-live"},
                     name="group")
    assert not pack.analyze_stack([fn, alias, app, group]).of("lambda-prod-deployed-through-alias")
    app = resource(APP, {"name": "resize-prod", "computePlatform": "Lambda"}, name="app")
    other = resource(GROUP, {"appName": "resize-prod", "deploymentGroupName": "resize-prod-live"},
                     name="group")
    d = the(pack.analyze_stack([fn, alias, app, other]), "lambda-prod-deployed-through-alias")
    assert d.urn == urn(FUNCTION, "thumbnails-prod") and '"thumbnails-prod-5d2f04a"' in d.message


def test_non_prod_and_hook_functions_are_exempt(pack):
    staging = resource(FUNCTION, {"name": "thumbnails-staging"}, name="thumbnails-staging")
    hook_name = "thumbnails-prod-pre-traffic-hook"
    hook = resource(FUNCTION, {"name": hook_name}, name=hook_name)
    assert not pack.analyze_stack([staging, hook]).of("lambda-prod-deployed-through-alias")


def test_malformed_deprecation_date_is_a_config_error(pack):
    expected = r"^policy pack config: lambda-function-runtime-supported\.deprecatedRuntimes\.python3\.9: 'soon' "
    with pytest.raises(PackConfigError, match=expected):
        pack.check(FUNCTION, {"runtime": "python3.9"},
                   {"lambda-function-runtime-supported": {"deprecatedRuntimes": {"python3.9": "soon"}}})
