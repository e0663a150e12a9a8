"""ECS rules through the analyzer: task definitions (containerDefinitions JSON), services, clusters."""
from __future__ import annotations

import json

import pytest

from preflight.analyzer import Options
from preflight.pack_config import PackConfigError
from tests.policies.conftest import aws_provider

TASK = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
ECR_IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders"
GOOD_CONTAINER = {
    "name": "app", "image": f"{ECR_IMAGE}:3f2a9c1", "user": "1000:1000", "readonlyRootFilesystem": True,
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/orders"}},
    "environment": [{"name": "DB_PASSWORD_PARAM", "value": "/orders/prod/db-password"},
                    {"name": "PORT", "value": "8080"}],
}
GOOD_TASK = {"containerDefinitions": json.dumps([GOOD_CONTAINER]), "networkMode": "awsvpc",
             "taskRoleArn": "arn:aws:iam::222222222222:role/orders-task",
             "executionRoleArn": "arn:aws:iam::222222222222:role/orders-exec"}
TASK_RULES = ["ecs-task-definition-image-pinned", "ecs-task-definition-image-registry-allowed",
              "ecs-task-definition-not-privileged", "ecs-task-definition-readonly-root-fs",
              "ecs-task-definition-awsvpc-network", "ecs-task-definition-non-root-user",
              "ecs-task-definition-logging-configured", "ecs-task-definition-no-environment-secrets",
              "ecs-task-definition-separate-roles"]


def task(**container):
    """The hardened task definition with its one container changed by `container`."""
    return dict(GOOD_TASK, containerDefinitions=json.dumps([{**GOOD_CONTAINER, **container}]))


def the(result, policy):
    [d] = result.of(policy)
    return d


def test_hardened_task_definition_passes_every_rule(pack):
    r = pack.check(TASK, GOOD_TASK)
    assert not [d for d in r.diagnostics if d.policy in TASK_RULES]


@pytest.mark.parametrize("image, reason", [
    ("nginx:latest", "uses the mutable :latest tag"),
    (ECR_IMAGE, "has no tag"),
    ("localhost:5000/orders", "has no tag"),
])
def test_unpinned_images_violate(pack, image, reason):
    d = the(pack.check(TASK, task(image=image), name="orders"), "ecs-task-definition-image-pinned")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert f'container "app" image "{image}" {reason}' in d.message
    assert "pin a git-SHA tag or a digest" in d.message


def test_digest_pinned_image_passes(pack):
    r = pack.check(TASK, task(image=f"{ECR_IMAGE}@sha256:{'a' * 64}"))
    assert not r.of("ecs-task-definition-image-pinned")


def test_image_from_docker_hub_violates_registry_allow_list(pack):
    d = the(pack.check(TASK, task(image="nginx:1.27")), "ecs-task-definition-image-registry-allowed")
    assert d.severity == "medium" and "'docker.io'" in d.message and '"nginx:1.27"' in d.message
    assert not pack.check(TASK, task(image="public.ecr.aws/nginx/nginx:1.27")).of(
        "ecs-task-definition-image-registry-allowed")


def test_registry_allow_list_is_configurable(pack):
    config = {"ecs-task-definition-image-registry-allowed": {"allowedRegistries": [r"^ghcr\.io/acme/"]}}
    assert not pack.check(TASK, task(image="ghcr.io/acme/orders:1.0"), config).of(
        "ecs-task-definition-image-registry-allowed")
    assert pack.check(TASK, GOOD_TASK, config).of("ecs-task-definition-image-registry-allowed")


def test_privileged_container_violates(pack):
    d = the(pack.check(TASK, task(privileged=True)), "ecs-task-definition-not-privileged")
    assert d.severity == "high" and 'container "app" runs privileged' in d.message


def test_writable_root_fs_violates(pack):
    d = the(pack.check(TASK, task(readonlyRootFilesystem=False)), "ecs-task-definition-readonly-root-fs")
    assert d.severity == "medium" and "readonlyRootFilesystem: true" in d.message


def test_bridge_network_violates(pack):
    d = the(pack.check(TASK, dict(GOOD_TASK, networkMode="bridge"), name="orders"),
            "ecs-task-definition-awsvpc-network")
    assert "'bridge'" in d.message and '"orders"' in d.message
    unset = {k: v for k, v in GOOD_TASK.items() if k != "networkMode"}
    assert "AWS default bridge" in the(pack.check(TASK, unset), "ecs-task-definition-awsvpc-network").message


@pytest.mark.parametrize("user", ["root", "0", "0:0", "root:app"])
def test_root_users_violate(pack, user):
    d = the(pack.check(TASK, task(user=user)), "ecs-task-definition-non-root-user")
    assert d.severity == "medium" and repr(user) in d.message


def test_unset_user_violates(pack):
    container = {k: v for k, v in GOOD_CONTAINER.items() if k != "user"}
    r = pack.check(TASK, dict(GOOD_TASK, containerDefinitions=json.dumps([container])))
    assert "sets no user" in the(r, "ecs-task-definition-non-root-user").message


def test_container_without_log_configuration_violates(pack):
    sidecar = {**GOOD_CONTAINER, "name": "envoy"}
    del sidecar["logConfiguration"]
    r = pack.check(TASK, dict(GOOD_TASK, containerDefinitions=json.dumps([GOOD_CONTAINER, sidecar])))
    d = the(r, "ecs-task-definition-logging-configured")
    assert 'container "envoy" has no logConfiguration' in d.message


def test_secret_in_environment_violates(pack):
    env = [{"name": "DB_PASSWORD", "value": "hunter2-hunter2"},
           {"name": "REGION", "value": "AKIAABCDEFGHIJKLMNOP"}]
    found = pack.check(TASK, task(environment=env)).of("ecs-task-definition-no-environment-secrets")
    messages = sorted(d.message for d in found)
    assert len(messages) == 2 and {d.severity for d in found} == {"critical"}
    assert "'DB_PASSWORD'" in messages[0] and "valueFrom" in messages[0]
    assert "'REGION'" in messages[1] and "looks like a credential" in messages[1]
    assert "hunter2" not in " ".join(messages)


def test_extra_secret_name_patterns(pack):
    env = [{"name": "STRIPE_SK", "value": "sk_live_abc"}]
    assert not pack.check(TASK, task(environment=env)).of("ecs-task-definition-no-environment-secrets")
    config = {"ecs-task-definition-no-environment-secrets": {"secretNamePatterns": ["_SK$"]}}
    assert pack.check(TASK, task(environment=env), config).of("ecs-task-definition-no-environment-secrets")


def test_same_task_and_execution_role_violates(pack):
    role = "arn:aws:iam::222222222222:role/orders"
    d = the(pack.check(TASK, dict(GOOD_TASK, taskRoleArn=role, executionRoleArn=role)),
            "ecs-task-definition-separate-roles")
    assert d.severity == "low" and role in d.message


@pytest.mark.parametrize("task_role, execution_role", [
    ("orders", "arn:aws:iam::222222222222:role/orders"),
    ("arn:aws:iam::222222222222:role/ecs/Orders", "arn:aws:iam::222222222222:role/orders"),
])
def test_same_role_by_short_name_or_path_violates(pack, task_role, execution_role):
    # ECS takes the task role's short name; a role name is unique per account whatever its path.
    d = the(pack.check(TASK, dict(GOOD_TASK, taskRoleArn=task_role, executionRoleArn=execution_role)),
            "ecs-task-definition-separate-roles")
    assert f"uses {task_role} (= {execution_role}) as both task role and execution role" in d.message


@pytest.mark.parametrize("task_role, execution_role", [
    ("orders-task", "arn:aws:iam::222222222222:role/orders-exec"),
    ("arn:aws:iam::111111111111:role/orders", "arn:aws:iam::222222222222:role/orders"),
])
def test_distinct_roles_pass(pack, task_role, execution_role):
    r = pack.check(TASK, dict(GOOD_TASK, taskRoleArn=task_role, executionRoleArn=execution_role))
    assert not r.of("ecs-task-definition-separate-roles")


def test_malformed_container_definitions_report_nothing(pack):
    r = pack.check(TASK, dict(GOOD_TASK, containerDefinitions="[{not json"))
    assert not [d for d in r.diagnostics if d.policy in TASK_RULES]


# ---- services and clusters -----------------------------------------------------------------

ROLLING = {"deploymentCircuitBreaker": {"enable": True, "rollback": True},
           "networkConfiguration": {"assignPublicIp": False, "subnets": ["subnet-1"]}}
CODE_DEPLOY = {"deploymentController": {"type": "CODE_DEPLOY"}}
CODE_DEPLOY_OPTS = Options(ignore_changes=["taskDefinition", "loadBalancers"])


def test_public_ip_violates(pack):
    d = the(pack.check(SERVICE, dict(ROLLING, networkConfiguration={"assignPublicIp": True}), name="orders"),
            "ecs-service-no-public-ip")
    assert d.severity == "high" and '"orders"' in d.message and "assign_public_ip=False" in d.message
    assert not pack.check(SERVICE, ROLLING).of("ecs-service-no-public-ip")


def test_prod_service_rolling_violates_progressive_deployment(pack):
    d = the(pack.check(SERVICE, ROLLING, name="orders-prod"), "ecs-service-prod-progressive-deployment")
    assert (d.enforcement, d.severity) == ("mandatory", "high")
    assert '"orders-prod"' in d.message and "ECS strategy ROLLING" in d.message


def test_prod_by_account_id(pack):
    config = {"ecs-service-prod-progressive-deployment": {"prodAccountIds": ["333333333333"]}}
    in_prod = pack.check(SERVICE, ROLLING, config, name="orders", provider=aws_provider("333333333333"))
    in_staging = pack.check(SERVICE, ROLLING, config, name="orders", provider=aws_provider("222222222222"))
    assert in_prod.of("ecs-service-prod-progressive-deployment")
    assert not in_staging.of("ecs-service-prod-progressive-deployment")


@pytest.mark.parametrize("props", [
    CODE_DEPLOY,
    {"deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15"}},
    {"deploymentConfiguration": {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 10.0}}},
])
def test_progressive_prod_services_pass(pack, props):
    r = pack.check(SERVICE, props, name="orders-prod", options=CODE_DEPLOY_OPTS)
    assert not r.of("ecs-service-prod-progressive-deployment")


def test_codedeploy_service_without_ignore_changes_violates(pack):
    r = pack.check(SERVICE, CODE_DEPLOY, name="orders", options=Options(ignore_changes=["taskDefinition"]))
    d = the(r, "ecs-service-codedeploy-ignores-task-definition")
    assert d.severity == "medium" and "loadBalancers" in d.message and "taskDefinition," not in d.message


@pytest.mark.parametrize("ignored", [["taskDefinition", "loadBalancers"],
                                     ["task_definition", "load_balancers"]])
def test_codedeploy_service_ignoring_both_passes(pack, ignored):
    r = pack.check(SERVICE, CODE_DEPLOY, options=Options(ignore_changes=ignored))
    assert not r.of("ecs-service-codedeploy-ignores-task-definition")
    assert not r.of("ecs-service-rolling-circuit-breaker")


def test_rolling_without_rollback_violates(pack):
    props = dict(ROLLING, deploymentCircuitBreaker={"enable": True, "rollback": False})
    d = the(pack.check(SERVICE, props, name="orders"), "ecs-service-rolling-circuit-breaker")
    assert "without a deployment rollback" in d.message
    assert "circuit breaker" in the(pack.check(SERVICE, {}), "ecs-service-rolling-circuit-breaker").message
    assert not pack.check(SERVICE, ROLLING).of("ecs-service-rolling-circuit-breaker")


def test_cluster_without_container_insights_violates(pack):
    r = pack.check(CLUSTER, {"settings": [{"name": "containerInsights", "value": "disabled"}]}, name="apps")
    d = the(r, "ecs-cluster-container-insights")
    assert d.severity == "low" and "'disabled'" in d.message and '"apps"' in d.message
    assert "not set" in the(pack.check(CLUSTER, {}), "ecs-cluster-container-insights").message
    for value in ("enabled", "enhanced"):
        assert not pack.check(CLUSTER, {"settings": [{"name": "containerInsights", "value": value}]}).of(
            "ecs-cluster-container-insights")


def test_invalid_registry_regex_is_a_clear_error(pack):
    config = {"ecs-task-definition-image-registry-allowed": {"allowedRegistries": ["(unclosed"]}}
    with pytest.raises(PackConfigError) as e:
        pack.check(TASK, GOOD_TASK, config)
    assert str(e.value) == ("policy pack config: ecs-task-definition-image-registry-allowed.allowedRegistries[0]: "
                            "invalid regular expression '(unclosed': missing ), unterminated subpattern at position 0")
