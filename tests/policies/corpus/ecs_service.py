"""ECS services and clusters as programs write them: public IPs, how prod rolls out, CodeDeploy's
ignore_changes, the rolling circuit breaker, Container Insights."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._ecs import SERVICE

_PUBLIC_IP = "ecs-service-no-public-ip"
_PROGRESSIVE = "ecs-service-prod-progressive-deployment"
_IGNORES = "ecs-service-codedeploy-ignores-task-definition"
_BREAKER = "ecs-service-rolling-circuit-breaker"
_INSIGHTS = "ecs-cluster-container-insights"

_TD = 'task_definition=f"arn:aws:ecs:us-east-1:{PROD}:task-definition/orders:7"'
_CODE_DEPLOY = ('deployment_controller={"type": "CODE_DEPLOY"}, load_balancers=[{"target_group_arn": '
                'f"arn:aws:elasticloadbalancing:us-east-1:{PROD}:targetgroup/orders-blue/0123456789abcdef", '
                '"container_name": "app", "container_port": 8080}]')


def _service(name: str, extra: str, opts: str = "in_prod") -> str:
    return (f'aws.ecs.Service("{name}", cluster=cluster.arn, {_TD}, desired_count=2, launch_type="FARGATE",\n'
            f'    {extra}, opts={opts})\n')


_NET = 'network_configuration=NETWORK'
_OK = f'{_NET}, deployment_circuit_breaker=BREAKER'
_BLUE_GREEN = f'{_NET}, deployment_configuration={{"strategy": "BLUE_GREEN", "bake_time_in_minutes": "10"}}'

VARIANTS = [
    Variant(_PUBLIC_IP, VIOLATES, "assign-public-ip", resource="orders", program=SERVICE +
            _service("orders", 'network_configuration={**NETWORK, "assign_public_ip": True}, '
                               'deployment_circuit_breaker=BREAKER')),
    Variant(_PUBLIC_IP, VIOLATES, "args-classes", resource="orders", program=SERVICE +
            'aws.ecs.Service("orders", aws.ecs.ServiceArgs(cluster=cluster.arn, ' + _TD + ', desired_count=2,\n'
            '    launch_type="FARGATE", deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(\n'
            '        enable=True, rollback=True),\n'
            '    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(subnets=NETWORK["subnets"],\n'
            '        assign_public_ip=True)), opts=in_prod)\n'),
    Variant(_PUBLIC_IP, VIOLATES, "default-vpc-from-config", resource="orders", config={"publicSubnets": "true"},
            program=SERVICE +
            'public = pulumi.Config().get_bool("publicSubnets") or False\n' +
            _service("orders", 'network_configuration={**NETWORK, "assign_public_ip": public}, '
                               'deployment_circuit_breaker=BREAKER')),
    Variant(_PUBLIC_IP, VIOLATES, "loop-over-environments", resource="orders-dev", program=SERVICE +
            'for env in ["dev", "staging"]:\n'
            '    aws.ecs.Service(f"orders-{env}", cluster=cluster.arn, ' + _TD + ', launch_type="FARGATE",\n'
            '        deployment_circuit_breaker=BREAKER, opts=in_staging,\n'
            '        network_configuration={**NETWORK, "assign_public_ip": env == "dev"})\n'),
    Variant(_PUBLIC_IP, NEAR_MISS, "private-subnets-sg-resource", program=SERVICE +
            'sg = aws.ec2.SecurityGroup("orders-sg", vpc_id="vpc-0a1b2c3d4e5f60001", opts=in_prod)\n' +
            _service("orders", 'network_configuration={"subnets": NETWORK["subnets"], "security_groups": [sg.id]}, '
                               'deployment_circuit_breaker=BREAKER')),

    # The prod provider (account 333333333333) makes a service prod whatever its name.
    Variant(_PROGRESSIVE, VIOLATES, "rolling-in-prod-account", resource="orders", program=SERVICE +
            _service("orders", _OK)),
    Variant(_PROGRESSIVE, VIOLATES, "explicit-rolling-strategy", resource="orders", program=SERVICE +
            _service("orders", f'{_OK}, deployment_configuration={{"strategy": "ROLLING"}}')),
    Variant(_PROGRESSIVE, VIOLATES, "environment-loop-by-name", resource="orders-prod", program=SERVICE +
            'for env in ["staging", "prod"]:\n'
            '    aws.ecs.Service(f"orders-{env}", cluster=cluster.arn, ' + _TD + ', launch_type="FARGATE",\n'
            '        network_configuration=NETWORK, deployment_circuit_breaker=BREAKER, opts=in_staging)\n'),
    Variant(_PROGRESSIVE, VIOLATES, "external-controller", resource="orders", program=SERVICE +
            _service("orders", f'{_NET}, deployment_controller=aws.ecs.ServiceDeploymentControllerArgs(type="EXTERNAL")')),
    Variant(_PROGRESSIVE, NEAR_MISS, "codedeploy-in-prod", program=SERVICE +
            _service("orders", f'{_NET}, {_CODE_DEPLOY}',
                     'pulumi.ResourceOptions(provider=prod, ignore_changes=["task_definition", "load_balancers"])')),
    Variant(_PROGRESSIVE, NEAR_MISS, "ecs-blue-green-in-prod", program=SERVICE + _service("orders", _BLUE_GREEN)),
    Variant(_PROGRESSIVE, NEAR_MISS, "canary-args-class", program=SERVICE + _service("orders", f'{_NET}, '
            'deployment_configuration=aws.ecs.ServiceDeploymentConfigurationArgs(strategy="CANARY",\n'
            '        canary_configuration=aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(\n'
            '            canary_percent=10, canary_bake_time_in_minutes="5"))')),
    # "product" is not "prod"; the service runs in the staging account.
    Variant(_PROGRESSIVE, NEAR_MISS, "product-service-in-staging", program=SERVICE +
            _service("product-catalog", _OK, "in_staging")),

    Variant(_IGNORES, VIOLATES, "no-ignore-changes", resource="orders", program=SERVICE +
            _service("orders", f'{_NET}, {_CODE_DEPLOY}')),
    Variant(_IGNORES, VIOLATES, "ignores-task-definition-only", resource="orders", program=SERVICE +
            _service("orders", f'{_NET}, {_CODE_DEPLOY}',
                     'pulumi.ResourceOptions(provider=prod, ignore_changes=["task_definition"])')),
    Variant(_IGNORES, VIOLATES, "ignores-desired-count-merged-opts", resource="orders", program=SERVICE +
            _service("orders", f'{_NET}, {_CODE_DEPLOY}',
                     'pulumi.ResourceOptions.merge(in_prod, pulumi.ResourceOptions(ignore_changes=["desired_count"]))')),
    Variant(_IGNORES, VIOLATES, "args-class-controller", resource="orders", program=SERVICE +
            'aws.ecs.Service("orders", aws.ecs.ServiceArgs(cluster=cluster.arn, ' + _TD + ',\n'
            '    network_configuration=NETWORK, deployment_controller=aws.ecs.ServiceDeploymentControllerArgs(\n'
            '        type="CODE_DEPLOY")), opts=pulumi.ResourceOptions(provider=prod, ignore_changes=["loadBalancers"]))\n'),
    Variant(_IGNORES, NEAR_MISS, "camel-case-names", program=SERVICE + _service("orders", f'{_NET}, {_CODE_DEPLOY}',
            'pulumi.ResourceOptions(provider=prod, ignore_changes=["taskDefinition", "loadBalancers"])')),
    Variant(_IGNORES, NEAR_MISS, "merged-opts-snake-case", program=SERVICE + _service("orders", f'{_NET}, {_CODE_DEPLOY}',
            'pulumi.ResourceOptions.merge(in_prod, pulumi.ResourceOptions(\n'
            '        ignore_changes=["task_definition", "load_balancers", "desired_count"]))')),

    Variant(_BREAKER, VIOLATES, "no-breaker", resource="orders", program=SERVICE +
            _service("orders", _NET, "in_staging")),
    Variant(_BREAKER, VIOLATES, "breaker-without-rollback", resource="orders", program=SERVICE +
            _service("orders", f'{_NET}, deployment_circuit_breaker={{"enable": True, "rollback": False}}',
                     "in_staging")),
    Variant(_BREAKER, VIOLATES, "args-class-disabled", resource="orders", program=SERVICE +
            _service("orders", f'{_NET}, deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(\n'
                     '        enable=False, rollback=True)', "in_staging")),
    Variant(_BREAKER, VIOLATES, "explicit-ecs-controller-loop", resource="worker", program=SERVICE +
            'BREAKERS = {"api": BREAKER, "worker": None}\n'
            'for name, breaker in BREAKERS.items():\n'
            '    aws.ecs.Service(name, cluster=cluster.arn, ' + _TD + ', network_configuration=NETWORK,\n'
            '        deployment_controller={"type": "ECS"}, deployment_circuit_breaker=breaker, opts=in_staging)\n'),
    Variant(_BREAKER, NEAR_MISS, "codedeploy-has-no-breaker", program=SERVICE + _service("orders", f'{_NET}, {_CODE_DEPLOY}',
            'pulumi.ResourceOptions(provider=prod, ignore_changes=["task_definition", "load_balancers"])')),
    Variant(_BREAKER, NEAR_MISS, "ecs-blue-green", program=SERVICE + _service("orders", _BLUE_GREEN)),
    Variant(_BREAKER, NEAR_MISS, "rolling-with-breaker", program=SERVICE + _service("orders", _OK, "in_staging")),

    Variant(_INSIGHTS, VIOLATES, "no-settings", resource="jobs", program=SERVICE +
            'aws.ecs.Cluster("jobs", opts=in_prod)\n'),
    Variant(_INSIGHTS, VIOLATES, "disabled-args-class", resource="jobs", program=SERVICE +
            'aws.ecs.Cluster("jobs", aws.ecs.ClusterArgs(settings=[aws.ecs.ClusterSettingArgs(\n'
            '    name="containerInsights", value="disabled")]), opts=in_prod)\n'),
    Variant(_INSIGHTS, VIOLATES, "from-config-flag", resource="jobs", program=SERVICE +
            'insights = "enabled" if pulumi.Config().get_bool("insights") else "disabled"\n'
            'aws.ecs.Cluster("jobs", settings=[{"name": "containerInsights", "value": insights}], opts=in_prod)\n'),
    Variant(_INSIGHTS, VIOLATES, "only-capacity-setting-loop", resource="batch", program=SERVICE +
            'for name, settings in {"web": [{"name": "containerInsights", "value": "enhanced"}], "batch": []}.items():\n'
            '    aws.ecs.Cluster(name, settings=settings, opts=in_prod)\n'),
    Variant(_INSIGHTS, NEAR_MISS, "enhanced", program=SERVICE +
            'aws.ecs.Cluster("jobs", settings=[{"name": "containerInsights", "value": "enhanced"}], opts=in_prod)\n'),
]
