"""Release gates as programs write pipelines: a prod deploy after a Manual approval and after a staging
deploy, judged across stages and runOrder groups, with build and Commands actions that deploy."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._codebuild import PROJECT
from tests.policies.corpus._codepipeline import PIPELINE, buildspec

_APPROVAL = "codepipeline-prod-manual-approval-required"
_STAGING = "codepipeline-staging-before-prod"
_BASE = PROJECT + PIPELINE
_STAGING_STAGE = 'stage("Staging", deploy("Deploy", STAGING))'


def _deployer(name: str, *commands: str, **kwargs) -> str:
    """A CodeBuild project (program statement) whose buildspec runs `commands`."""
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    return f'{name.replace("-", "_")} = project("{name}", buildspec={buildspec(*commands)}{extra})\n'


VARIANTS = [
    # ---- approval before every prod deploy --------------------------------------------------------
    Variant(_APPROVAL, VIOLATES, "no-approval-stage", resource="release", program=_BASE + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_APPROVAL, VIOLATES, "approval-parallel-with-deploy", resource="release", program=_BASE + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Prod", approval(), deploy("Deploy", PROD)))
'''),
    Variant(_APPROVAL, VIOLATES, "approval-after-deploy-by-run-order", resource="release", program=_BASE + f'''\
pipeline("release", {_STAGING_STAGE},
         stage("Release", deploy("Deploy", PROD, run_order=1), approval(run_order=2)))
'''),
    Variant(_APPROVAL, VIOLATES, "approval-keyed-on-another-name", resource="release", program=_BASE + '''\
stages = []
for env, account in {"staging": STAGING, "prod": PROD}.items():
    if env == "production":
        stages.append(stage("Approve", approval()))
    stages.append(stage(env.title(), deploy("Deploy", account)))
pipeline("release", *stages)
'''),
    Variant(_APPROVAL, VIOLATES, "args-classes-same-run-order", resource="release", program=_BASE + '''\
A = aws.codepipeline
pipeline("release", stage("Staging", deploy("Deploy", STAGING)), A.PipelineStageArgs(name="Release", actions=[
    A.PipelineStageActionArgs(name="Approve", category="Approval", owner="AWS", provider="Manual", version="1",
                              run_order=2, configuration={"NotificationArn": TOPIC}),
    A.PipelineStageActionArgs(name="Ship", category="Deploy", owner="AWS", provider="ECS", version="1",
                              run_order=2, input_artifacts=["src"], role_arn=f"arn:aws:iam::{PROD}:role/deploy",
                              configuration={"ClusterName": "orders", "ServiceName": "api"})]))
'''),
    Variant(_APPROVAL, VIOLATES, "build-runs-pulumi-up-prod", resource="release", program=_BASE + _deployer(
        "orders-infra", "npm ci", "pulumi up --stack acme/orders/prod --yes --skip-preview") + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Infra", build("Apply", orders_infra.name)))
'''),
    Variant(_APPROVAL, VIOLATES, "build-assumes-prod-role-from-project-env", resource="release",
            program=_BASE + _deployer(
                "orders-worker-release",
                "aws sts assume-role --role-arn $DEPLOY_ROLE_ARN --role-session-name ci > creds.json",
                "aws lambda update-function-code --function-name orders-worker --zip-file fileb://dist/fn.zip",
                environment='{"environment_variables": [{"name": "DEPLOY_ROLE_ARN", '
                            '"value": f"arn:aws:iam::{PROD}:role/orders-release"}]}') + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Worker", build("Publish", orders_worker_release.name, "Test")))
'''),
    Variant(_APPROVAL, VIOLATES, "commands-action-cdk-deploy", resource="release", program=_BASE + f'''\
ship = {{"name": "Ship", "category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1",
        "input_artifacts": ["src"], "commands": ["npm ci", "npx cdk deploy OrdersProdStack --require-approval never"]}}
pipeline("release", {_STAGING_STAGE}, stage("Ship", ship))
'''),
    Variant(_APPROVAL, VIOLATES, "one-project-stage-from-action-variables", resource="release",
            program=_BASE + _deployer("orders-sls", "npm ci", "npx serverless deploy --stage $STAGE") + '''\
def sls(stage_name):
    variables = json.dumps([{"name": "STAGE", "value": stage_name, "type": "PLAINTEXT"}])
    return build("Deploy", orders_sls.name, configuration={"EnvironmentVariables": variables})
pipeline("release", stage("Staging", sls("staging")), stage("Release", sls("prod")))
'''),
    Variant(_APPROVAL, NEAR_MISS, "approval-stage-before-prod", program=_BASE + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_APPROVAL, NEAR_MISS, "approval-lower-run-order", program=_BASE + f'''\
pipeline("release", {_STAGING_STAGE},
         stage("Release", deploy("Deploy", PROD, run_order=2), approval(run_order=1)))
'''),
    Variant(_APPROVAL, NEAR_MISS, "builds-that-only-preview-prod", program=_BASE + _deployer(
        "orders-plan", "pulumi preview --stack acme/orders/prod --diff", "npx cdk diff OrdersProdStack",
        "kubectl apply --dry-run=server -f k8s/prod/",
        "aws cloudformation deploy --stack-name orders-prod --template-file t.yml --no-execute-changeset") + f'''\
pipeline("release", {_STAGING_STAGE}, stage("PlanProd", build("Plan", orders_plan.name, "Test")))
'''),
    Variant(_APPROVAL, NEAR_MISS, "build-deploys-staging-only", program=_BASE + _deployer(
        "orders-infra", "pulumi stack select acme/orders/staging", "pulumi up --yes") + '''\
pipeline("release", stage("Infra", build("Apply", orders_infra.name)))
'''),
    Variant(_APPROVAL, NEAR_MISS, "one-project-gated-prod", program=_BASE + _deployer(
        "orders-sls", "npm ci", "npx serverless deploy --stage $STAGE") + '''\
def sls(stage_name):
    variables = json.dumps([{"name": "STAGE", "value": stage_name, "type": "PLAINTEXT"}])
    return build("Deploy", orders_sls.name, configuration={"EnvironmentVariables": variables})
pipeline("release", stage("Staging", sls("staging")), stage("Approve", approval()), stage("Release", sls("prod")))
'''),

    # ---- a staging deploy before every prod deploy --------------------------------------------------
    Variant(_STAGING, VIOLATES, "approval-then-prod", resource="release", program=_BASE + '''\
pipeline("release", stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_STAGING, VIOLATES, "staging-parallel-with-prod", resource="release", program=_BASE + '''\
pipeline("release", stage("Approve", approval()),
         stage("Deploy", deploy("Staging", STAGING), deploy("Prod", PROD)))
'''),
    Variant(_STAGING, VIOLATES, "stages-built-in-the-wrong-order", resource="release", program=_BASE + '''\
ACCOUNTS = {"prod": PROD, "staging": STAGING}
pipeline("release", stage("Approve", approval()),
         *[stage(env.title(), deploy("Deploy", account)) for env, account in ACCOUNTS.items()])
'''),
    Variant(_STAGING, VIOLATES, "build-cdk-deploy-prod-only", resource="release", program=_BASE + _deployer(
        "orders-cdk", "npm ci", f"npx cdk deploy --all -c account={333333333333} --require-approval never") + '''\
pipeline("release", stage("Approve", approval()), stage("Ship", build("Deploy", orders_cdk.name)))
'''),
    Variant(_STAGING, NEAR_MISS, "staging-approval-prod", program=_BASE + f'''\
pipeline("release", {_STAGING_STAGE}, stage("Approve", approval()), stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_STAGING, NEAR_MISS, "staging-by-build-action", program=_BASE + _deployer(
        "orders-infra-staging", "terraform init", "terraform workspace select staging",
        "terraform apply -auto-approve") + '''\
pipeline("release", stage("Infra", build("Apply", orders_infra_staging.name)), stage("Approve", approval()),
         stage("Prod", deploy("Deploy", PROD)))
'''),
    Variant(_STAGING, NEAR_MISS, "one-stage-by-run-order", program=_BASE + '''\
pipeline("release", stage("Release", deploy("Staging", STAGING, run_order=1), approval(run_order=2),
                          deploy("Prod", PROD, run_order=3)))
'''),
]
