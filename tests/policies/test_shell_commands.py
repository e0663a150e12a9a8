"""The shell readers behind the buildspec and pipeline rules: variable expansion, deploy commands."""
import pytest

from aws_cicd_guardrails._deploy_commands import deploy_label, evidence
from aws_cicd_guardrails._shell import UNKNOWN, ShellEnv, segments

PROD_CFG = {"prodAccountIds": ["333333333333"]}


def test_expansion_resolves_only_what_the_build_declares():
    env = ShellEnv([{"REPO": "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders"}, {"STAGE": "prod"}])
    for step in ("TAG=latest", "SHA=${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}", "OUT=$(git describe)",
                 "X=1 make build", "export CHANNEL=\"$STAGE-$TAG\""):
        env.run(step)
    assert env.expand("$REPO:$TAG") == "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders:latest"
    assert env.expand("${CHANNEL}") == "prod-latest"
    assert env.expand("${UNSET:-latest}") == "latest"          # unset everywhere: the default applies
    assert env.expand("${STAGE:-dev}") == "prod"
    assert env.expand("${UNSET:+x}") == "" and env.expand("${STAGE:+x}") == "x"
    assert UNKNOWN in env.expand("$SHA") and UNKNOWN in env.expand("$OUT") and UNKNOWN in env.expand("$UNSET")
    assert UNKNOWN in env.expand("${CODEBUILD_RESOLVED_SOURCE_VERSION:-latest}")  # set by CodeBuild
    assert env.expand("'$TAG'") == "$TAG" and not env.defined("X")


def test_project_values_are_read_only_when_expanded():
    reads = []
    env = ShellEnv([{"REPO": lambda: reads.append("REPO") or "r"}])
    env.run("IMAGE=$REPO:v1")
    assert env.defined("REPO") and reads == []
    assert env.expand("$IMAGE") == "r:v1" and reads == ["REPO"]


def test_segments_split_pipes_outside_quotes_and_substitutions():
    assert segments("a --query 'x | y' | b $(c | d) | e") == ["a --query 'x | y'", "b $(c | d)", "e"]


@pytest.mark.parametrize("command, label", [
    ("pulumi up --stack prod --yes", "pulumi up"), ("npx aws-cdk@2 deploy --all", "cdk deploy"),
    ("poetry run pulumi up", "pulumi up"), ("sam deploy --config-env prod", "sam deploy"),
    ("terraform -chdir=infra apply -auto-approve", "terraform apply"),
    ("terragrunt run-all apply", "terragrunt run-all"),
    ("aws --region us-east-1 ecs update-service --cluster c --service s", "aws ecs update-service"),
    ("aws cloudformation create-stack --stack-name s", "aws cloudformation create-stack"),
    ("aws lambda publish-version --function-name f", "aws lambda publish-version"),
    ("kubectl set image deploy/api api=repo:v2", "kubectl set"), ("helm upgrade --install a ./chart", "helm upgrade"),
    ("sls deploy --stage prod", "serverless deploy"), ("npm run deploy:prod", "npm deploy:prod"),
    ("./scripts/deploy.sh prod", "deploy script"),
    ("pulumi preview -s prod", None), ("cdk synth", None), ("terraform plan", None), ("terragrunt run-all plan", None),
    ("kubectl apply --dry-run=client -f k8s", None), ("kubectl rollout status deploy/api", None),
    ("helm upgrade --dry-run a ./chart", None), ("aws cloudformation deploy --no-execute-changeset", None),
    ("echo pulumi up", None), ("aws ecs wait services-stable", None),
])
def test_deploy_commands(command, label):
    assert deploy_label(command) == label


def test_prod_evidence_in_words():
    assert evidence("pulumi up --stack acme/orders/prod", PROD_CFG) == 'names "acme/orders/prod"'
    assert evidence("cdk deploy OrdersProdStack", PROD_CFG) == 'names "OrdersProdStack"'
    assert evidence("terraform apply -var-file=production.tfvars", PROD_CFG) == 'names "production"'
    assert "prod account 333333333333" in evidence(
        "aws sts assume-role --role-arn arn:aws:iam::333333333333:role/deploy", PROD_CFG)
    assert evidence("cdk deploy -c account=333333333333", PROD_CFG) == "targets prod account 333333333333"
    for staging in ("pulumi up --stack staging", "cdk deploy OrdersProductCatalog", "sam deploy --config-env stg"):
        assert evidence(staging, PROD_CFG) is None, staging
