"""Program text shared by the ECS corpus modules: a hardened container and Fargate task definition that
variants change one thing of (so each variant shows its mistake and nothing else)."""

TASK = '''\
IMAGE = f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/orders:3f2a9c1"
LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/orders", "awslogs-region": "us-east-1",
                                            "awslogs-stream-prefix": "app"}}
APP = {"name": "app", "image": IMAGE, "essential": True, "user": "1000:1000", "readonlyRootFilesystem": True,
       "portMappings": [{"containerPort": 8080}], "logConfiguration": LOGS}
ROLES = {"task_role_arn": f"arn:aws:iam::{PROD}:role/orders-task",
         "execution_role_arn": f"arn:aws:iam::{PROD}:role/orders-exec"}
FARGATE = {"network_mode": "awsvpc", "requires_compatibilities": ["FARGATE"], "cpu": "256", "memory": "512", **ROLES}


def task(name, containers, **overrides):
    return aws.ecs.TaskDefinition(name, family=name, container_definitions=json.dumps(containers),
                                  **{**FARGATE, **overrides}, opts=in_prod)


'''

# An ECR repository in the tooling account whose URL (computed) is unknown in preview.
REPO = ('repo = aws.ecr.Repository("orders-repo", image_tag_mutability="IMMUTABLE",\n'
        '    image_scanning_configuration={"scan_on_push": True},\n'
        '    encryption_configurations=[{"encryption_type": "KMS"}], opts=in_tooling)\n')

SERVICE = '''\
NETWORK = {"subnets": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
           "security_groups": ["sg-0a1b2c3d4e5f60001"], "assign_public_ip": False}
BREAKER = {"enable": True, "rollback": True}
cluster = aws.ecs.Cluster("apps", settings=[{"name": "containerInsights", "value": "enabled"}], opts=in_prod)


'''
