"""Lambda functions: container images, runtimes, environment secrets; invoke permissions."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

IMAGE, RUNTIME, SECRETS, PERMISSION = ("lambda-function-image-pinned", "lambda-function-runtime-supported",
                                       "lambda-function-no-environment-secrets",
                                       "lambda-permission-principal-scoped")
_ROLE = 'role_arn = f"arn:aws:iam::{STAGING}:role/orders-fn"\n'
_ZIP = ('code=pulumi.AssetArchive({"app.py": pulumi.StringAsset('
        '"def handler(event, context):\\n    return event\\n")})')
_REPO = 'repo = aws.ecr.Repository("orders", image_tag_mutability="IMMUTABLE", opts=in_tooling)\n'
_REGISTRY = 'registry = f"{TOOLING}.dkr.ecr.us-east-1.amazonaws.com"\n'


def _image_fn(image: str, name: str = "orders") -> str:
    return (_ROLE + _REGISTRY + f'aws.lambda_.Function("{name}", package_type="Image", role=role_arn,\n'
            f'    image_uri={image}, opts=in_staging)\n')


def _zip_fn(runtime: str, name: str = "orders", extra: str = "") -> str:
    return (_ROLE + f'aws.lambda_.Function("{name}", role=role_arn, runtime={runtime}, handler="app.handler",\n'
            f'    {_ZIP},{extra} opts=in_staging)\n')


def _env(variables: str) -> str:
    return _zip_fn('"python3.13"', extra=f'\n    environment={{"variables": {variables}}},')


_FN = _ROLE + 'fn = aws.lambda_.Function("orders", role=role_arn, runtime="python3.13", handler="app.handler",\n' \
    f'    {_ZIP}, opts=in_staging)\n'

VARIANTS = [
    Variant(IMAGE, VIOLATES, "literal-latest", resource="orders", program=_image_fn('f"{registry}/orders:latest"')),
    Variant(IMAGE, VIOLATES, "untagged", resource="orders", program=_image_fn('f"{registry}/orders"')),
    Variant(IMAGE, VIOLATES, "tag-from-config-defaults-to-latest", resource="orders",
            program=_image_fn('f"{registry}/orders:{pulumi.Config().get(\'imageTag\') or \'latest\'}"')),
    Variant(IMAGE, VIOLATES, "loop-over-services", resource="fn-payments", program=_ROLE + _REGISTRY + '''\
for svc, tag in {"orders": "3f2a9c1", "payments": "LATEST"}.items():
    aws.lambda_.Function(f"fn-{svc}", package_type="Image", role=role_arn, image_uri=f"{registry}/{svc}:{tag}",
        opts=in_staging)
'''),
    Variant(IMAGE, VIOLATES, "latest-from-repository-name", resource="orders", program=_REPO + _image_fn(
        'repo.name.apply(lambda name: f"{registry}/{name}:latest")')),
    # The repository URL is computed: the ":latest" suffix is only seen once it is known.
    Variant(IMAGE, VIOLATES, "latest-on-repository-url", resource="orders",
            program=_REPO + _image_fn('pulumi.Output.concat(repo.repository_url, ":latest")')),
    Variant(IMAGE, NEAR_MISS, "digest-and-git-sha", config={"gitSha": "3f2a9c1"}, program=_ROLE + _REGISTRY + '''\
digest = "sha256:" + "ab" * 32
aws.lambda_.Function("orders", package_type="Image", role=role_arn,
    image_uri=f"{registry}/orders:latest@{digest}", opts=in_staging)
aws.lambda_.Function("payments", package_type="Image", role=role_arn,
    image_uri=f"{registry}/payments:{pulumi.Config().require('gitSha')}", opts=in_staging)
aws.lambda_.Function("zip", role=role_arn, runtime="python3.13", handler="app.handler", ''' + _ZIP + ''',
    opts=in_staging)
'''),

    Variant(RUNTIME, VIOLATES, "deprecated-literal", resource="orders", program=_zip_fn('"python3.8"')),
    Variant(RUNTIME, VIOLATES, "sdk-enum", resource="orders", program=_zip_fn("aws.lambda_.Runtime.NODE_JS16D_X")),
    Variant(RUNTIME, VIOLATES, "args-class", resource="orders", program=_ROLE + f'''\
aws.lambda_.Function("orders", aws.lambda_.FunctionArgs(role=role_arn, runtime="dotnet6", handler="App::Handler",
    {_ZIP}), opts=in_staging)
'''),
    Variant(RUNTIME, VIOLATES, "loop-over-config", resource="fn-legacy", program=_ROLE + f'''\
for name, runtime in {{"api": "python3.13", "legacy": "go1.x"}}.items():
    aws.lambda_.Function(f"fn-{{name}}", role=role_arn, runtime=runtime, handler="bootstrap", {_ZIP},
        opts=in_staging)
'''),
    Variant(RUNTIME, VIOLATES, "recently-deprecated", resource="orders", program=_zip_fn('"python3.10"')),
    Variant(RUNTIME, NEAR_MISS, "current-runtimes-and-image", program=_ROLE + _REGISTRY + f'''\
for name, runtime in {{"api": aws.lambda_.Runtime.PYTHON3D14, "jobs": "java25", "edge": "provided.al2023"}}.items():
    aws.lambda_.Function(f"fn-{{name}}", role=role_arn, runtime=runtime, handler="app.handler", {_ZIP},
        opts=in_staging)
aws.lambda_.Function("orders", package_type="Image", role=role_arn, image_uri=f"{{registry}}/orders:3f2a9c1",
    opts=in_staging)
'''),

    Variant(SECRETS, VIOLATES, "password-literal", resource="orders",
            program=_env('{"DB_HOST": "db.internal", "DB_PASSWORD": "hunter2"}')),
    Variant(SECRETS, VIOLATES, "configured-name-pattern", resource="orders",
            program=_ROLE + f'''\
aws.lambda_.Function("orders", role=role_arn, runtime="python3.13", handler="app.handler", {_ZIP},
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={{
        "DATABASE_URL": "postgres://orders:s3cr3t@db.internal:5432/orders"}}), opts=in_staging)
'''),
    Variant(SECRETS, VIOLATES, "access-key-under-a-plain-name", resource="orders",
            program=_env('{"UPSTREAM": "AKIAIOSFODNN7EXAMPLE", "REGION": "us-east-1"}')),
    Variant(SECRETS, VIOLATES, "pulumi-secret-is-still-plaintext", resource="orders",
            config={"apiToken": "tok-123"}, program=_env('{"API_TOKEN": pulumi.Config().require_secret("apiToken")}')),
    # A queue URL is unknown in preview; the password next to it is known and reported all the same.
    Variant(SECRETS, VIOLATES, "next-to-a-computed-value", resource="orders", program='''\
queue = aws.sqs.Queue("orders", opts=in_staging)
''' + _env('{"QUEUE_URL": queue.url, "DB_PASSWORD": "hunter2"}')),
    Variant(SECRETS, NEAR_MISS, "references-to-secret-stores", program=_env(
        '{"DB_PASSWORD_SECRET_ARN": f"arn:aws:secretsmanager:us-east-1:{STAGING}:secret:orders/db-AbCdEf",\n'
        '        "API_TOKEN_PARAMETER": "/orders/api-token", "DB_HOST": "db.internal"}')),

    Variant(PERMISSION, VIOLATES, "anyone", resource="orders-public", program=_FN + '''\
aws.lambda_.Permission("orders-public", function=fn.name, action="lambda:InvokeFunction", principal="*",
    opts=in_staging)
'''),
    Variant(PERMISSION, VIOLATES, "public-function-url", resource="orders-url", program=_FN + '''\
aws.lambda_.Permission("orders-url", function=fn.name, action="lambda:InvokeFunctionUrl", principal="*",
    function_url_auth_type="NONE", opts=in_staging)
'''),
    Variant(PERMISSION, VIOLATES, "s3-without-source", resource="orders-s3", program=_FN + '''\
aws.lambda_.Permission("orders-s3", function=fn.name, action="lambda:InvokeFunction",
    principal="s3.amazonaws.com", opts=in_staging)
'''),
    Variant(PERMISSION, VIOLATES, "loop-over-triggers", resource="orders-apigateway", program=_FN + '''\
for service, account in {"events": STAGING, "apigateway": None}.items():
    aws.lambda_.Permission(f"orders-{service}", aws.lambda_.PermissionArgs(function=fn.name,
        action="lambda:InvokeFunction", principal=f"{service}.amazonaws.com", source_account=account),
        opts=in_staging)
'''),
    Variant(PERMISSION, NEAR_MISS, "scoped-principals", program=_FN + '''\
account = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=staging)).account_id
aws.lambda_.Permission("orders-s3", function=fn.name, action="lambda:InvokeFunction",
    principal="s3.amazonaws.com", source_account=account, opts=in_staging)
aws.lambda_.Permission("orders-events", function=fn.name, action="lambda:InvokeFunction",
    principal="events.amazonaws.com", source_arn=f"arn:aws:events:us-east-1:{account}:rule/orders-nightly",
    opts=in_staging)
aws.lambda_.Permission("orders-tooling", function=fn.name, action="lambda:InvokeFunction", principal=TOOLING,
    opts=in_staging)
'''),
    Variant(PERMISSION, NEAR_MISS, "anyone-in-the-organisation", program=_FN + '''\
aws.lambda_.Permission("orders-org", function=fn.name, action="lambda:InvokeFunction", principal="*",
    principal_org_id="o-a1b2c3d4e5", opts=in_staging)
'''),
]
