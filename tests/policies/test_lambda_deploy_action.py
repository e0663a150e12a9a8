"""The CodePipeline Lambda deploy action through the analyzer: prod releases shift an alias gradually
(lambda-prod-deployed-through-alias), and the pipeline rules treat it as the cross-account deploy it is."""
import pytest

from preflight import pack_config
from preflight.analyzer import UNKNOWN
from tests.policies.conftest import PACK_DIR, resource, urn
from tests.policies.test_codepipeline import (APPROVAL, APPROVAL_GATE, BUILD, CROSS_ACCOUNT, PIPELINE, PROD,
                                              SOURCE, STAGING, STAGING_FIRST, TOOLING_PROVIDER, action, pipeline,
                                              stage)

RULE = "lambda-prod-deployed-through-alias"
FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
CONFIG = {RULE: {"prodAccountIds": [PROD]}, APPROVAL_GATE: {"prodAccountIds": [PROD]},
          STAGING_FIRST: {"prodAccountIds": [PROD]},
          CROSS_ACCOUNT: {"prodAccountIds": [PROD], "stagingAccountIds": [STAGING]}}
GRADUAL = {"FunctionAlias": "live", "DeployStrategy": "Canary10Percent5Minutes",
           "Alarms": "orders-prod-errors,orders-prod-throttles"}


def lambda_deploy(env, account, **configuration):
    return stage(f"Deploy{env.title()}", action("Deploy", "Deploy", "Lambda", role=account,
                                                FunctionName=f"orders-{env}", **configuration))


def release(**prod_configuration):
    """Source -> Build -> staging (canary) -> approval -> prod with `prod_configuration`."""
    return pipeline(SOURCE, BUILD, lambda_deploy("staging", STAGING, **GRADUAL), APPROVAL,
                    lambda_deploy("prod", PROD, **prod_configuration))


def analyze(pack, props, *others, config=None):
    subject = resource(PIPELINE, props, name="orders-pipeline", provider=TOOLING_PROVIDER)
    return pack.analyze_stack([subject, *others], CONFIG if config is None else config)


@pytest.mark.parametrize("configuration, problem", [
    ({**GRADUAL, "DeployStrategy": "AllAtOnce"}, 'shifts all traffic at once (DeployStrategy "AllAtOnce")'),
    ({"FunctionAlias": "live"}, "has no DeployStrategy, so it shifts all traffic at once (the default is AllAtOnce)"),
    ({"DeployStrategy": "Canary10Percent5Minutes"}, "has no FunctionAlias, so it deploys to $LATEST"),
    ({**GRADUAL, "DeployStrategy": "BlueGreen"}, "has DeployStrategy 'BlueGreen', which is neither a canary nor"),
])
def test_prod_lambda_deploy_that_shifts_all_at_once_violates(pack, configuration, problem):
    [d] = analyze(pack, release(**configuration)).of(RULE)
    assert (d.enforcement, d.severity, d.urn) == ("mandatory", "medium", urn(PIPELINE, "orders-pipeline"))
    assert ('pipeline "orders-pipeline": prod Lambda deploy action "Deploy" (stage "DeployProd") of function '
            '"orders-prod" ') in d.message
    assert problem in d.message and 'DeployStrategy "Canary10Percent5Minutes"' in d.message


@pytest.mark.parametrize("strategy", ["Canary10Percent5Minutes", "Linear10PercentEvery1Minute",
                                      "Canary25Percent30Minutes", "Linear20PercentEvery2Minutes"])
def test_prod_lambda_deploy_that_shifts_gradually_passes(pack, strategy):
    assert not analyze(pack, release(**{**GRADUAL, "DeployStrategy": strategy})).of(RULE)


def test_violation_is_advisory_in_dev_and_mandatory_in_prod(pack):
    levels = {}
    for stack in ("dev", "prod"):
        given = pack_config.load(PACK_DIR / "config" / f"{stack}.json")
        [d] = analyze(pack, release(FunctionAlias="live"), config=given).of(RULE)
        levels[stack] = d.enforcement
    assert levels == {"dev": "advisory", "prod": "mandatory"}


def test_non_prod_lambda_deploy_may_shift_all_at_once(pack):
    staging_only = pipeline(SOURCE, BUILD, lambda_deploy("staging", STAGING, FunctionAlias="live"))
    assert not analyze(pack, staging_only).of(RULE)


def test_lambda_invoke_action_named_deploy_is_not_a_lambda_deploy(pack):
    invoke = stage("DeployProd", action("Deploy", "Invoke", "Lambda", role=PROD, FunctionName="orders-prod"))
    assert not analyze(pack, pipeline(SOURCE, BUILD, lambda_deploy("staging", STAGING, **GRADUAL), APPROVAL,
                                      invoke)).of(RULE)


def test_prod_by_name_without_configured_accounts(pack):
    [d] = analyze(pack, release(FunctionAlias="live"), config={}).of(RULE)
    assert "of function \"orders-prod\"" in d.message


def test_pipeline_lambda_deploy_actions_pass_the_pipeline_rules(pack):
    """Deploy category: a prod deploy after the approval and the staging deploy, in its account's role."""
    def gates(props):   # the approval and staging gates are stack rules (they read the builds' buildspecs)
        return pack.analyze_stack([resource(PIPELINE, props, provider=TOOLING_PROVIDER)], CONFIG)

    r = pack.check(PIPELINE, release(**GRADUAL), CONFIG, provider=TOOLING_PROVIDER)
    assert not [d.policy for d in r.diagnostics if d.policy.startswith("codepipeline-")]
    assert not [d.policy for d in gates(release(**GRADUAL)).diagnostics
                if d.policy in (APPROVAL_GATE, "codepipeline-staging-before-prod")]
    roleless = pipeline(SOURCE, BUILD, lambda_deploy("staging", STAGING, **GRADUAL), APPROVAL,
                        stage("DeployProd", action("Deploy", "Deploy", "Lambda", FunctionName="orders-prod",
                                                   **GRADUAL)))
    assert pack.check(PIPELINE, roleless, CONFIG, provider=TOOLING_PROVIDER).of(CROSS_ACCOUNT)
    early = pipeline(SOURCE, BUILD, lambda_deploy("prod", PROD, **GRADUAL), APPROVAL)
    assert gates(early).of(APPROVAL_GATE)


# ---- functions released by the action ------------------------------------------------------

def function(name="orders-prod", *, alias=True):
    fn = resource(FUNCTION, {"name": name, "runtime": "python3.13", "publish": True}, name=name)
    live = resource(ALIAS, {"name": "live", "functionName": UNKNOWN}, name=f"{name}-live",
                    property_dependencies={"functionName": [fn.urn]})
    return [fn, live] if alias else [fn]


def test_function_released_by_a_gradual_pipeline_action_needs_no_codedeploy_group(pack):
    assert not analyze(pack, release(**GRADUAL), *function()).of(RULE)


def test_function_named_by_its_arn_counts(pack):
    arn = f"arn:aws:lambda:eu-west-1:{PROD}:function:orders-prod"
    props = pipeline(SOURCE, BUILD, lambda_deploy("staging", STAGING, **GRADUAL), APPROVAL,
                     stage("DeployProd", action("Deploy", "Deploy", "Lambda", role=PROD, FunctionName=arn,
                                                **GRADUAL)))
    assert not analyze(pack, props, *function()).of(RULE)


def test_all_at_once_release_is_reported_once_on_the_pipeline(pack):
    [d] = analyze(pack, release(FunctionAlias="live"), *function()).of(RULE)
    assert d.urn == urn(PIPELINE, "orders-pipeline")


def test_function_without_alias_is_still_reported(pack):
    [d] = analyze(pack, release(**GRADUAL), *function(alias=False)).of(RULE)
    assert d.urn == urn(FUNCTION, "orders-prod") and "no aws.lambda.Alias" in d.message
    assert "no CodeDeploy deployment group" not in d.message


def test_function_no_pipeline_deploys_is_reported(pack):
    [d] = analyze(pack, release(**GRADUAL), *function("billing-prod")).of(RULE)
    assert d.urn == urn(FUNCTION, "billing-prod")
    assert "no CodeDeploy deployment group (Lambda) or CodePipeline Lambda deploy action shifting it" in d.message


def test_unknown_stages_defer_to_preview(pack):
    [d] = analyze(pack, {**release(**GRADUAL), "stages": UNKNOWN}, *function()).of(RULE)
    assert d.enforcement == "advisory" and "can't be known during preview" in d.message
