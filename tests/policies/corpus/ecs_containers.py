"""ECS container hardening as programs write it: privileged, read-only root filesystem, non-root
user, log configuration. Sidecars built in loops and containers spread from a shared base are where
the setting goes missing."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._ecs import TASK

_PRIVILEGED = "ecs-task-definition-not-privileged"
_READONLY = "ecs-task-definition-readonly-root-fs"
_USER = "ecs-task-definition-non-root-user"
_LOGGING = "ecs-task-definition-logging-configured"

# Sidecars defined as a dict of name -> image and expanded into container definitions.
_SIDECARS = ('SIDECARS = {"envoy": "envoy:v1.31.2", "xray": "xray-daemon:3.3.12"}\n'
             'ECR = f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com"\n')
_STRIPPED = 'base = {k: v for k, v in APP.items() if k != "{key}"}\n'


def _without(key: str) -> str:
    return _STRIPPED.replace("{key}", key)


VARIANTS = [
    Variant(_PRIVILEGED, VIOLATES, "privileged-true", resource="orders", program=TASK +
            'task("orders", [{**APP, "privileged": True}])\n'),
    Variant(_PRIVILEGED, VIOLATES, "privileged-sidecar-from-loop", resource="orders", program=TASK + _SIDECARS +
            'sidecars = [{**APP, "name": n, "image": f"{ECR}/{i}", "essential": False, "privileged": n == "envoy"}\n'
            '            for n, i in SIDECARS.items()]\n'
            'task("orders", [APP, *sidecars])\n'),
    Variant(_PRIVILEGED, VIOLATES, "from-config-output-json-dumps", resource="orders", config={"debug": "true"},
            program=TASK +
            'debug = pulumi.Config().get_bool("debug") or False\n'
            'aws.ecs.TaskDefinition("orders", aws.ecs.TaskDefinitionArgs(family="orders", network_mode="awsvpc",\n'
            '    requires_compatibilities=["EC2"], **ROLES,\n'
            '    container_definitions=pulumi.Output.json_dumps([{**APP, "privileged": debug}])), opts=in_prod)\n'),
    Variant(_PRIVILEGED, NEAR_MISS, "capability-instead-of-privileged", program=TASK +
            'task("orders", [{**APP, "privileged": False,\n'
            '                 "linuxParameters": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}}])\n'),
    Variant(_PRIVILEGED, NEAR_MISS, "config-unset", program=TASK +
            'debug = pulumi.Config().get_bool("debug") or False\n'
            'task("orders", [{**APP, "privileged": debug}])\n'),

    Variant(_READONLY, VIOLATES, "unset", resource="orders", program=TASK + _without("readonlyRootFilesystem") +
            'task("orders", [base])\n'),
    Variant(_READONLY, VIOLATES, "explicit-false", resource="orders", program=TASK +
            'task("orders", [{**APP, "readonlyRootFilesystem": False}])\n'),
    Variant(_READONLY, VIOLATES, "sidecar-forgets", resource="orders", program=TASK + _SIDECARS +
            'sidecars = [{"name": n, "image": f"{ECR}/{i}", "essential": False, "user": "1337",\n'
            '             "logConfiguration": LOGS} for n, i in SIDECARS.items()]\n'
            'task("orders", [APP, *sidecars])\n'),
    Variant(_READONLY, VIOLATES, "config-unset-null-output-json-dumps", resource="orders", program=TASK +
            'log_group = aws.cloudwatch.LogGroup("orders-logs", retention_in_days=30, opts=in_prod)\n'
            'readonly = pulumi.Config().get_bool("readonlyRoot")\n'
            'aws.ecs.TaskDefinition("orders", family="orders", **FARGATE, opts=in_prod,\n'
            '    container_definitions=pulumi.Output.json_dumps([{**APP, "readonlyRootFilesystem": readonly,\n'
            '        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": log_group.name,\n'
            '            "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}]))\n'),
    Variant(_READONLY, NEAR_MISS, "readonly-with-tmp-volume", program=TASK +
            'task("orders", [{**APP, "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp"}]}],\n'
            '     volumes=[{"name": "tmp"}])\n'),

    Variant(_USER, VIOLATES, "unset", resource="orders", program=TASK + _without("user") +
            'task("orders", [base])\n'),
    Variant(_USER, VIOLATES, "root-by-name", resource="orders", program=TASK +
            'task("orders", [{**APP, "user": "root"}])\n'),
    Variant(_USER, VIOLATES, "uid-zero-from-int", resource="orders", program=TASK +
            'uid, gid = 0, 0\n'
            'task("orders", [{**APP, "user": f"{uid}:{gid}"}])\n'),
    Variant(_USER, VIOLATES, "sidecar-without-user", resource="orders", program=TASK + _SIDECARS +
            'sidecars = [{"name": n, "image": f"{ECR}/{i}", "essential": False, "readonlyRootFilesystem": True,\n'
            '             "logConfiguration": LOGS} for n, i in SIDECARS.items()]\n'
            'task("orders", [APP, *sidecars])\n'),
    # uid 1000 with the root *group*: the process is not root.
    Variant(_USER, NEAR_MISS, "non-root-uid-root-group", program=TASK +
            'task("orders", [{**APP, "user": "1000:0"}])\n'),
    Variant(_USER, NEAR_MISS, "named-user", program=TASK + 'task("orders", [{**APP, "user": "nobody"}])\n'),

    Variant(_LOGGING, VIOLATES, "unset", resource="orders", program=TASK + _without("logConfiguration") +
            'task("orders", [base])\n'),
    Variant(_LOGGING, VIOLATES, "sidecar-without-logs", resource="orders", program=TASK + _SIDECARS +
            'sidecars = [{"name": n, "image": f"{ECR}/{i}", "essential": False, "user": "1337",\n'
            '             "readonlyRootFilesystem": True} for n, i in SIDECARS.items()]\n'
            'task("orders", [APP, *sidecars])\n'),
    Variant(_LOGGING, VIOLATES, "logging-switched-off-by-config", resource="orders", program=TASK +
            'logs = LOGS if pulumi.Config().get_bool("logs") else None\n'
            'task("orders", [{**APP, "logConfiguration": logs}])\n'),
    Variant(_LOGGING, NEAR_MISS, "awslogs-group-from-resource", program=TASK +
            'log_group = aws.cloudwatch.LogGroup("orders-logs", retention_in_days=30, opts=in_prod)\n'
            'aws.ecs.TaskDefinition("orders", family="orders", **FARGATE, opts=in_prod,\n'
            '    container_definitions=log_group.name.apply(lambda group: json.dumps([{**APP,\n'
            '        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": group,\n'
            '            "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}])))\n'),
    Variant(_LOGGING, NEAR_MISS, "firelens", program=TASK +
            'router = {**APP, "name": "log-router", "essential": True,\n'
            '          "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/aws-for-fluent-bit:2.32.4",\n'
            '          "firelensConfiguration": {"type": "fluentbit"}}\n'
            'task("orders", [{**APP, "logConfiguration": {"logDriver": "awsfirelens",\n'
            '    "options": {"Name": "cloudwatch_logs", "region": "us-east-1"}}}, router])\n'),
]
