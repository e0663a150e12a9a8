"""ECS task definitions as a whole: secrets in plain environment variables, network mode, and the
task role kept apart from the execution role."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._ecs import TASK

_SECRETS = "ecs-task-definition-no-environment-secrets"
_AWSVPC = "ecs-task-definition-awsvpc-network"
_ROLES = "ecs-task-definition-separate-roles"

_SECRET_ARN = 'f"arn:aws:secretsmanager:us-east-1:{PROD}:secret:orders/db-password-AbCdEf"'
_ROLE = ('role = aws.iam.Role("orders-role", assume_role_policy=json.dumps({"Version": "2012-10-17",\n'
         '    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
         '                   "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}), opts=in_prod)\n')

VARIANTS = [
    Variant(_SECRETS, VIOLATES, "password-literal", resource="orders", program=TASK +
            'task("orders", [{**APP, "environment": [{"name": "DB_PASSWORD", "value": "s3cr3t-Passw0rd"}]}])\n'),
    Variant(_SECRETS, VIOLATES, "env-dict-comprehension-database-url", resource="orders", program=TASK +
            'env = {"PORT": "8080", "DATABASE_URL": "postgres://orders:hunter22@db.internal:5432/orders"}\n'
            'task("orders", [{**APP, "environment": [{"name": k, "value": v} for k, v in env.items()]}])\n'),
    Variant(_SECRETS, VIOLATES, "access-key-under-innocent-name", resource="orders", program=TASK +
            'task("orders", [{**APP, "environment": [{"name": "UPLOADER_ID", "value": "AKIAIOSFODNN7EXAMPLE"}]}])\n'),
    # A config secret put into `environment` instead of `secrets`: still a plain value in the definition.
    Variant(_SECRETS, VIOLATES, "config-secret-into-environment", resource="orders",
            config={"apiToken": "tok_live_0123456789abcdef"}, program=TASK +
            'token = pulumi.Config().require_secret("apiToken")\n'
            'aws.ecs.TaskDefinition("orders", family="orders", **FARGATE, opts=in_prod,\n'
            '    container_definitions=pulumi.Output.json_dumps([{**APP,\n'
            '        "environment": [{"name": "API_TOKEN", "value": token}]}]))\n'),
    Variant(_SECRETS, NEAR_MISS, "secrets-value-from", program=TASK +
            'task("orders", [{**APP, "environment": [{"name": "DB_HOST", "value": "db.internal"}],\n'
            '                 "secrets": [{"name": "DB_PASSWORD", "valueFrom": ' + _SECRET_ARN + '}]}])\n'),
    Variant(_SECRETS, NEAR_MISS, "secret-name-holds-reference", program=TASK +
            'task("orders", [{**APP, "environment": [\n'
            '    {"name": "DB_PASSWORD_PARAM", "value": "/orders/prod/db-password"},\n'
            '    {"name": "DB_PASSWORD_SECRET_ARN", "value": ' + _SECRET_ARN + '}]}])\n'),

    Variant(_AWSVPC, VIOLATES, "unset-ec2-launch-type", resource="orders", program=TASK +
            'aws.ecs.TaskDefinition("orders", family="orders", requires_compatibilities=["EC2"], **ROLES,\n'
            '    container_definitions=json.dumps([APP]), opts=in_prod)\n'),
    Variant(_AWSVPC, VIOLATES, "bridge", resource="orders", program=TASK +
            'task("orders", [APP], network_mode="bridge", requires_compatibilities=["EC2"])\n'),
    Variant(_AWSVPC, VIOLATES, "host-args-class", resource="orders", program=TASK +
            'aws.ecs.TaskDefinition("orders", aws.ecs.TaskDefinitionArgs(family="orders", network_mode="host",\n'
            '    requires_compatibilities=["EC2"], container_definitions=json.dumps([APP]), **ROLES), opts=in_prod)\n'),
    Variant(_AWSVPC, VIOLATES, "mode-per-service-from-dict", resource="worker", program=TASK +
            'for name, mode in {"api": "awsvpc", "worker": "bridge"}.items():\n'
            '    task(name, [{**APP, "name": name}], network_mode=mode, requires_compatibilities=["EC2"])\n'),
    Variant(_AWSVPC, NEAR_MISS, "awsvpc-args-class", program=TASK +
            'aws.ecs.TaskDefinition("orders", aws.ecs.TaskDefinitionArgs(family="orders", network_mode="awsvpc",\n'
            '    requires_compatibilities=["FARGATE"], cpu="512", memory="1024",\n'
            '    container_definitions=json.dumps([APP]), **ROLES), opts=in_prod)\n'),

    Variant(_ROLES, VIOLATES, "same-literal-arn", resource="orders", program=TASK +
            'shared = f"arn:aws:iam::{PROD}:role/orders"\n'
            'task("orders", [APP], task_role_arn=shared, execution_role_arn=shared)\n'),
    Variant(_ROLES, VIOLATES, "arn-from-config", resource="orders",
            config={"roleArn": "arn:aws:iam::333333333333:role/orders-ecs"}, program=TASK +
            'role_arn = pulumi.Config().require("roleArn")\n'
            'task("orders", [APP], task_role_arn=role_arn, execution_role_arn=role_arn)\n'),
    Variant(_ROLES, VIOLATES, "one-role-resource-for-both", resource="orders",
            program=TASK + _ROLE +
            'task("orders", [APP], task_role_arn=role.arn, execution_role_arn=role.arn)\n'),
    Variant(_ROLES, VIOLATES, "loop-over-services-one-role-each", resource="payments", program=TASK +
            'ROLE_OF = {"orders": ("orders-task", "orders-exec"), "payments": ("payments", "payments")}\n'
            'for name, (task_role, exec_role) in ROLE_OF.items():\n'
            '    task(name, [{**APP, "name": name}], task_role_arn=f"arn:aws:iam::{PROD}:role/{task_role}",\n'
            '         execution_role_arn=f"arn:aws:iam::{PROD}:role/{exec_role}")\n'),
    # ECS takes the task role's short name: the same role spelled two ways.
    Variant(_ROLES, VIOLATES, "short-name-and-arn", resource="orders", program=TASK +
            'task("orders", [APP], task_role_arn="orders-ecs",\n'
            '     execution_role_arn=f"arn:aws:iam::{PROD}:role/service-role/orders-ecs")\n'),
    Variant(_ROLES, VIOLATES, "role-name-and-role-arn", resource="orders",
            program=TASK + _ROLE +
            'task("orders", [APP], task_role_arn=role.name, execution_role_arn=role.arn)\n'),
    Variant(_ROLES, NEAR_MISS, "distinct-roles", program=TASK + 'task("orders", [APP])\n'),
    Variant(_ROLES, NEAR_MISS, "execution-role-only", program=TASK + _ROLE +
            'aws.ecs.TaskDefinition("orders", family="orders", network_mode="awsvpc", cpu="256", memory="512",\n'
            '    requires_compatibilities=["FARGATE"], execution_role_arn=f"arn:aws:iam::{PROD}:role/orders-exec",\n'
            '    container_definitions=json.dumps([APP]), opts=in_prod)\n'),
]
