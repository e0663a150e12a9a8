"""ECS container images: pinned to a fixed tag or digest, and pulled from an allowed registry (prod
config: the tooling account's ECR only). Images assembled from a repository's URL are unknown in
preview: those variants are reported in up mode and listed as not evaluated in preview."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._ecs import REPO, TASK

_PINNED = "ecs-task-definition-image-pinned"
_REGISTRY = "ecs-task-definition-image-registry-allowed"

VARIANTS = [
    Variant(_PINNED, VIOLATES, "literal-latest", resource="orders", program=TASK +
            'task("orders", [{**APP, "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/orders:latest"}])\n'),
    Variant(_PINNED, VIOLATES, "untagged-sidecar", resource="orders", program=TASK +
            'xray = {**APP, "name": "xray", "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/xray-daemon",\n'
            '        "essential": False, "portMappings": [{"containerPort": 2000, "protocol": "udp"}]}\n'
            'task("orders", [APP, xray])\n'),
    Variant(_PINNED, VIOLATES, "tag-from-config-defaults-latest", resource="orders", program=TASK +
            'tag = pulumi.Config().get("imageTag") or "latest"\n'
            'task("orders", [{**APP, "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/orders:{tag}"}])\n'),
    Variant(_PINNED, VIOLATES, "repository-url-apply-latest", resource="orders",
            program=TASK + REPO +
            'aws.ecs.TaskDefinition("orders", family="orders", **FARGATE, opts=in_prod,\n'
            '    container_definitions=repo.repository_url.apply(\n'
            '        lambda url: json.dumps([{**APP, "image": f"{url}:latest"}])))\n'),
    Variant(_PINNED, VIOLATES, "output-concat-latest", resource="orders",
            program=TASK + REPO +
            'image = pulumi.Output.concat(repo.repository_url, ":latest")\n'
            'aws.ecs.TaskDefinition("orders", family="orders", **FARGATE, opts=in_prod,\n'
            '    container_definitions=pulumi.Output.all(image=image).apply(\n'
            '        lambda a: json.dumps([{**APP, "image": a["image"]}])))\n'),
    Variant(_PINNED, VIOLATES, "output-json-dumps-untagged-url", resource="orders",
            program=TASK + REPO +
            'aws.ecs.TaskDefinition("orders", family="orders", **FARGATE, opts=in_prod,\n'
            '    container_definitions=pulumi.Output.json_dumps([{**APP, "image": repo.repository_url}]))\n'),
    Variant(_PINNED, NEAR_MISS, "sha-tag-from-config", config={"imageTag": "3f2a9c1e"}, program=TASK +
            'tag = pulumi.Config().require("imageTag")\n'
            'task("orders", [{**APP, "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/orders:{tag}"}])\n'),
    Variant(_PINNED, NEAR_MISS, "latest-tag-with-digest", program=TASK +
            'digest = "sha256:" + "4f" * 32\n'
            'task("orders", [{**APP, "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/orders:latest@{digest}"}])\n'),
    Variant(_PINNED, NEAR_MISS, "tag-starting-with-latest", program=TASK +
            'task("orders", [{**APP, "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/orders:latest-3f2a9c1"}])\n'),

    Variant(_REGISTRY, VIOLATES, "docker-hub", resource="orders", program=TASK +
            'task("orders", [{**APP, "image": "nginx:1.27.3"}])\n'),
    Variant(_REGISTRY, VIOLATES, "ghcr-sidecar", resource="orders", program=TASK +
            'proxy = {**APP, "name": "oauth2-proxy", "image": "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0"}\n'
            'task("orders", [APP, proxy])\n'),
    Variant(_REGISTRY, VIOLATES, "public-ecr-not-in-prod-list", resource="orders", program=TASK +
            'otel = {**APP, "name": "otel", "essential": False,\n'
            '        "image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.41.1"}\n'
            'task("orders", [APP, otel])\n'),
    Variant(_REGISTRY, VIOLATES, "other-account-ecr-loop", resource="payments", program=TASK +
            'for name, account in {"orders": TOOLING, "payments": STAGING}.items():\n'
            '    task(name, [{**APP, "image": f"{account}.dkr.ecr.us-east-1.amazonaws.com/{name}:3f2a9c1"}])\n'),
    Variant(_REGISTRY, VIOLATES, "staging-repository-url", resource="orders", program=TASK +
            'repo = aws.ecr.Repository("orders-repo", image_tag_mutability="IMMUTABLE", opts=in_staging)\n'
            'aws.ecs.TaskDefinition("orders", family="orders", **FARGATE, opts=in_prod,\n'
            '    container_definitions=repo.repository_url.apply(\n'
            '        lambda url: json.dumps([{**APP, "image": f"{url}:3f2a9c1"}])))\n'),
    Variant(_REGISTRY, NEAR_MISS, "tooling-ecr-other-region", program=TASK +
            'task("orders", [{**APP, "image": f"{TOOLING}.dkr.ecr.eu-west-1.amazonaws.com/orders:3f2a9c1"}])\n'),
    Variant(_REGISTRY, NEAR_MISS, "tooling-ecr-digest", program=TASK +
            'digest = "sha256:" + "0a" * 32\n'
            'task("orders", [{**APP, "image": f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com/orders@{digest}"}])\n'),
]
