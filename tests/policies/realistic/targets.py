"""The prod-account half of the realistic stack: ECS blue/green, Lambda canary, GitHub OIDC deployer."""
from __future__ import annotations

import json

from ._base import ACCOUNTS, REGION, Builder, Options, doc

SHA = "3f2a9c1e7b4d5a6f8e9d0c1b2a3f4e5d6c7b8a90"
DIGEST = "sha256:" + "4b" * 32


def add_deploy_role(b: Builder) -> None:
    service, tooling, prod = b.service, ACCOUNTS["tooling"], ACCOUNTS["prod"]
    b.add("aws:iam/role:Role", "prod-deploy-role", "prod", {
        "name": f"{service}-prod-deploy", "maxSessionDuration": 3600, "assumeRolePolicy": doc(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [
                f"arn:aws:iam::{tooling}:role/{service}-pipeline", f"arn:aws:iam::{tooling}:role/{service}-build"]}}),
        "tags": b.tags("prod")})
    b.add("aws:iam/rolePolicy:RolePolicy", "prod-deploy-role-policy", "prod", {
        "role": f"{service}-prod-deploy", "name": "deploy", "policy": doc(
            {"Effect": "Allow", "Action": ["codedeploy:CreateDeployment", "codedeploy:GetDeployment",
                                           "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision"],
             "Resource": f"arn:aws:codedeploy:{REGION}:{prod}:*:{service}-prod*"},
            {"Effect": "Allow", "Action": "ecs:RegisterTaskDefinition", "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole",
             "Resource": [f"arn:aws:iam::{prod}:role/{service}-prod-task",
                          f"arn:aws:iam::{prod}:role/{service}-prod-task-execution"],
             "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt",
             "Resource": f"arn:aws:kms:{REGION}:{tooling}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"})},
          deps={"role": ["prod-deploy-role"]})


def add_ecs_target(b: Builder) -> None:
    """ECS blue/green through CodeDeploy: roles, logs, cluster, task definition, service, deployment group."""
    _ecs_task(b)
    _ecs_deployment(b)


def _ecs_task(b: Builder) -> None:
    service, tooling, prod = b.service, ACCOUNTS["tooling"], ACCOUNTS["prod"]
    t = b.tags("prod")
    for role in ("task", "task-execution"):
        b.add("aws:iam/role:Role", f"prod-{role}-role", "prod", {
            "name": f"{service}-prod-{role}", "assumeRolePolicy": doc(
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:SourceAccount": prod}}}), "tags": t})
    b.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-task-execution-managed", "prod", {
        "role": f"{service}-prod-task-execution",
        "policyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"},
          deps={"role": ["prod-task-execution-role"]})
    b.add("aws:cloudwatch/logGroup:LogGroup", "prod-app-logs", "prod", {
        "name": f"/ecs/{service}-prod", "retentionInDays": 30, "tags": t}, options=Options(protect=True))
    b.add("aws:ecs/cluster:Cluster", "prod-cluster", "prod", {
        "name": f"{service}-prod", "settings": [{"name": "containerInsights", "value": "enabled"}], "tags": t})
    containers = [{
        "name": "app", "image": f"{tooling}.dkr.ecr.{REGION}.amazonaws.com/{service}:{SHA}", "essential": True,
        "cpu": 256, "memory": 512, "user": "1000:1000", "privileged": False, "readonlyRootFilesystem": True,
        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
        "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}],
        "secrets": [{"name": "DB_PASSWORD",
                     "valueFrom": f"arn:aws:secretsmanager:{REGION}:{prod}:secret:{service}/prod/db-AbCdEf"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": f"/ecs/{service}-prod", "awslogs-region": REGION, "awslogs-stream-prefix": "app"}}}]
    b.add("aws:ecs/taskDefinition:TaskDefinition", "prod-task", "prod", {
        "family": f"{service}-prod", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "cpu": "256", "memory": "512", "containerDefinitions": json.dumps(containers),
        "executionRoleArn": f"arn:aws:iam::{prod}:role/{service}-prod-task-execution",
        "taskRoleArn": f"arn:aws:iam::{prod}:role/{service}-prod-task",
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}, "tags": t},
          deps={"executionRoleArn": ["prod-task-execution-role"], "taskRoleArn": ["prod-task-role"]})


def _ecs_deployment(b: Builder) -> None:
    service, prod = b.service, ACCOUNTS["prod"]
    t = b.tags("prod")
    tg = f"arn:aws:elasticloadbalancing:{REGION}:{prod}:targetgroup/{service}-prod-blue/1a2b3c4d5e6f7a8b"
    b.add("aws:ecs/service:Service", "prod-service", "prod", {
        "name": f"{service}-prod", "cluster": f"arn:aws:ecs:{REGION}:{prod}:cluster/{service}-prod",
        "taskDefinition": f"arn:aws:ecs:{REGION}:{prod}:task-definition/{service}-prod:7",
        "desiredCount": 2, "launchType": "FARGATE", "platformVersion": "LATEST",
        "deploymentController": {"type": "CODE_DEPLOY"},
        "networkConfiguration": {"subnets": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
                                 "securityGroups": ["sg-0123456789abcdef0"], "assignPublicIp": False},
        "loadBalancers": [{"targetGroupArn": tg, "containerName": "app", "containerPort": 8080}],
        "tags": t}, deps={"cluster": ["prod-cluster"], "taskDefinition": ["prod-task"]},
          options=Options(ignore_changes=["taskDefinition", "loadBalancers"]))
    b.add("aws:cloudwatch/metricAlarm:MetricAlarm", "prod-5xx-alarm", "prod", {
        "name": f"{service}-prod-5xx", "namespace": "AWS/ApplicationELB", "metricName": "HTTPCode_Target_5XX_Count",
        "statistic": "Sum", "period": 60, "evaluationPeriods": 2, "threshold": 5,
        "comparisonOperator": "GreaterThanThreshold", "tags": t})
    b.add("aws:codedeploy/application:Application", "prod-ecs-app", "prod",
          {"name": f"{service}-prod", "computePlatform": "ECS", "tags": t})
    listener = f"arn:aws:elasticloadbalancing:{REGION}:{prod}:listener/app/{service}-prod/50dc6c495c0c9188"
    b.add("aws:codedeploy/deploymentGroup:DeploymentGroup", "prod-ecs-deployment-group", "prod", {
        "appName": f"{service}-prod", "deploymentGroupName": f"{service}-prod",
        "serviceRoleArn": f"arn:aws:iam::{prod}:role/{service}-prod-codedeploy",
        "deploymentConfigName": "CodeDeployDefault.ECSCanary10Percent5Minutes",
        "deploymentStyle": {"deploymentOption": "WITH_TRAFFIC_CONTROL", "deploymentType": "BLUE_GREEN"},
        "blueGreenDeploymentConfig": {
            "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 60}},
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        "alarmConfiguration": {"enabled": True, "alarms": [f"{service}-prod-5xx"]},
        "ecsService": {"clusterName": f"{service}-prod", "serviceName": f"{service}-prod"},
        "loadBalancerInfo": {"targetGroupPairInfo": {
            "prodTrafficRoute": {"listenerArns": [f"{listener}/1111aaaa"]},
            "testTrafficRoute": {"listenerArns": [f"{listener}/2222bbbb"]},
            "targetGroups": [{"name": f"{service}-prod-blue"}, {"name": f"{service}-prod-green"}]}},
        "tags": t}, deps={"appName": ["prod-ecs-app"], "ecsService": ["prod-cluster", "prod-service"],
                          "alarmConfiguration": ["prod-5xx-alarm"]})


def add_lambda_target(b: Builder) -> None:
    service, tooling, prod = b.service, ACCOUNTS["tooling"], ACCOUNTS["prod"]
    t = b.tags("prod")
    fn = f"{service}-prod-worker"
    b.add("aws:lambda/function:Function", "prod-worker", "prod", {
        "name": fn, "packageType": "Image", "publish": True, "timeout": 30, "memorySize": 512,
        "imageUri": f"{tooling}.dkr.ecr.{REGION}.amazonaws.com/{service}@{DIGEST}",
        "role": f"arn:aws:iam::{prod}:role/{service}-prod-task", "architectures": ["x86_64"],
        "environment": {"variables": {"LOG_LEVEL": "info",
                                      "DB_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:{prod}:secret:{service}/prod/db"}},
        "tracingConfig": {"mode": "Active"}, "tags": t})
    b.add("aws:lambda/function:Function", "prod-hook", "prod", {
        "name": f"{fn}-pre-traffic", "packageType": "Zip", "runtime": "python3.12", "handler": "hook.handler",
        "role": f"arn:aws:iam::{prod}:role/{service}-prod-hook", "publish": True, "tags": t})
    b.add("aws:lambda/alias:Alias", "prod-worker-live", "prod", {
        "name": "live", "functionName": fn, "functionVersion": "3"}, deps={"functionName": ["prod-worker"]})
    b.add("aws:lambda/permission:Permission", "prod-worker-events", "prod", {
        "action": "lambda:InvokeFunction", "function": fn, "qualifier": "live", "principal": "events.amazonaws.com",
        "sourceArn": f"arn:aws:events:{REGION}:{prod}:rule/{service}-nightly", "sourceAccount": prod},
          deps={"function": ["prod-worker"]})
    b.add("aws:codedeploy/application:Application", "prod-lambda-app", "prod",
          {"name": f"{fn}", "computePlatform": "Lambda", "tags": t})
    b.add("aws:codedeploy/deploymentGroup:DeploymentGroup", "prod-lambda-deployment-group", "prod", {
        "appName": fn, "deploymentGroupName": fn, "serviceRoleArn": f"arn:aws:iam::{prod}:role/{service}-prod-codedeploy",
        "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        "deploymentStyle": {"deploymentOption": "WITH_TRAFFIC_CONTROL", "deploymentType": "BLUE_GREEN"},
        "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
        "alarmConfiguration": {"enabled": True, "alarms": [f"{service}-prod-5xx"]}, "tags": t},
          deps={"appName": ["prod-lambda-app"], "alarmConfiguration": ["prod-5xx-alarm"]})


def add_github_deployer(b: Builder) -> None:
    service, prod = b.service, ACCOUNTS["prod"]
    issuer = "token.actions.githubusercontent.com"
    b.add("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc", "prod", {
        "url": f"https://{issuer}", "clientIdLists": ["sts.amazonaws.com"],
        "thumbprintLists": ["6938fd4d98bab03faadb97b34396831e3780aea1"], "tags": b.tags("prod")})
    b.add("aws:iam/role:Role", "github-prod-deployer", "prod", {
        "name": f"{service}-github-prod", "assumeRolePolicy": doc(
            {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
             "Principal": {"Federated": f"arn:aws:iam::{prod}:oidc-provider/{issuer}"},
             "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com",
                                            f"{issuer}:sub": f"repo:example-org/{service}:environment:production"}}}),
        "tags": b.tags("prod")}, deps={"assumeRolePolicy": ["github-oidc"]})
