"""Prod Lambda releases: an alias shifted gradually by CodeDeploy or a CodePipeline Lambda deploy action."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

RULE = "lambda-prod-deployed-through-alias"
_FN = '''\
code = pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\\n    return event\\n")})


def function(resource_name, opts=in_prod, **kwargs):
    return aws.lambda_.Function(resource_name, role=f"arn:aws:iam::{PROD}:role/orders-fn", runtime="python3.13",
                                handler="app.handler", code=code, publish=True, opts=opts, **kwargs)


def codedeploy(app_name, group_name, config="CodeDeployDefault.LambdaCanary10Percent5Minutes", opts=in_prod):
    app = aws.codedeploy.Application(app_name, name=app_name, compute_platform="Lambda", opts=in_prod)
    return aws.codedeploy.DeploymentGroup(group_name, app_name=app.name, deployment_group_name=group_name,
        service_role_arn=f"arn:aws:iam::{PROD}:role/codedeploy", deployment_config_name=config,
        deployment_style={"deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"},
        auto_rollback_configuration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        alarm_configuration={"enabled": True, "alarms": ["orders-errors"]}, opts=opts)
'''
_PIPELINE = '''\
def pipeline(function_name, **deploy):
    return aws.codepipeline.Pipeline("release", role_arn=f"arn:aws:iam::{TOOLING}:role/pipeline",
        pipeline_type="V2", artifact_stores=[{"location": "acme-artifacts", "type": "S3"}], stages=[
            {"name": "Source", "actions": [{"name": "Source", "category": "Source", "owner": "AWS",
                "provider": "S3", "version": "1", "output_artifacts": ["src"],
                "configuration": {"S3Bucket": "acme-src", "S3ObjectKey": "orders.zip"}}]},
            {"name": "DeployProd", "actions": [{"name": "Deploy", "category": "Deploy", "owner": "AWS",
                "provider": "Lambda", "version": "1", "input_artifacts": ["src"],
                "role_arn": f"arn:aws:iam::{PROD}:role/pipeline-deploy",
                "configuration": {"FunctionName": function_name, **deploy}}]}], opts=in_tooling)
'''

VARIANTS = [
    Variant(RULE, VIOLATES, "function-only", resource="orders", program=_FN + 'function("orders")\n'),
    Variant(RULE, VIOLATES, "alias-without-traffic-shifting", resource="orders", program=_FN + '''\
fn = function("orders")
aws.lambda_.Alias("orders-live", name="live", function_name=fn.name, function_version=fn.version, opts=in_prod)
'''),
    Variant(RULE, VIOLATES, "group-belongs-to-another-function", resource="orders", program=_FN + '''\
for name in ("orders", "payments"):
    fn = function(name, name=name)
    aws.lambda_.Alias(f"{name}-live", name="live", function_name=fn.name, function_version=fn.version,
        opts=in_prod)
codedeploy("payments", "payments-live")
'''),
    Variant(RULE, VIOLATES, "prod-by-name-in-staging-account", resource="orders-prod", program=_FN + '''\
function("orders-prod", opts=in_staging)
'''),
    Variant(RULE, VIOLATES, "pipeline-all-at-once", resource="release", program=_FN + _PIPELINE + '''\
fn = function("orders", name="orders")
aws.lambda_.Alias("orders-live", name="live", function_name=fn.name, function_version=fn.version, opts=in_prod)
pipeline(f"arn:aws:lambda:us-east-1:{PROD}:function:orders", FunctionAlias="live", DeployStrategy="AllAtOnce")
'''),
    Variant(RULE, VIOLATES, "pipeline-without-alias", resource="release", program=_FN + _PIPELINE + '''\
function("orders", name="orders")
pipeline("orders", DeployStrategy="Canary10Percent5Minutes")
'''),
    Variant(RULE, NEAR_MISS, "auto-named-function-codedeploy-by-name", program=_FN + '''\
fn = function("orders")
aws.lambda_.Alias("orders-live", name="live", function_name=fn.name, function_version=fn.version, opts=in_prod)
codedeploy("orders", "orders-live")
'''),
    Variant(RULE, NEAR_MISS, "group-depends-on-alias", program=_FN + '''\
fn = function("orders", name="orders-api")
alias = aws.lambda_.Alias("orders-live", name="live", function_name=fn.arn, function_version=fn.version,
    opts=in_prod)
codedeploy("release", "canary", opts=pulumi.ResourceOptions(depends_on=[alias], provider=prod))
'''),
    Variant(RULE, NEAR_MISS, "pipeline-canary-hook-and-staging", program=_FN + _PIPELINE + '''\
fn = function("orders", name="orders")
aws.lambda_.Alias("orders-live", name="live", function_name=fn.name, function_version=fn.version, opts=in_prod)
pipeline(f"arn:aws:lambda:us-east-1:{PROD}:function:orders:live", FunctionAlias="live",
         DeployStrategy="Linear10PercentEvery1Minute", Alarms="orders-errors")
function("orders-pre-traffic-hook")
function("orders-staging", opts=in_staging)
'''),
]
