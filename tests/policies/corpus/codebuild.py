"""CodeBuild projects as programs write them: plaintext secrets, source URL credentials, privileged mode."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant
from tests.policies.corpus._codebuild import PROJECT

_SECRETS = "codebuild-project-no-plaintext-secrets"
_SOURCE_URL = "codebuild-project-source-url-no-credentials"
_PRIVILEGED = "codebuild-project-privileged-only-for-images"

_GITHUB_PROJECT = '''\
def github_project(resource_name, location, **kwargs):
    return aws.codebuild.Project(resource_name, service_role=BUILD_ROLE, encryption_key=BUILD_KEY,
        source={"type": "GITHUB", "location": location, "buildspec": GOOD_SPEC},
        artifacts={"type": "NO_ARTIFACTS"}, cache={"type": "LOCAL", "modes": ["LOCAL_SOURCE_CACHE"]},
        environment={"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
                     "type": "LINUX_CONTAINER"}, opts=in_tooling, **kwargs)
'''

VARIANTS = [
    # ---- plaintext secrets -----------------------------------------------------------------
    Variant(_SECRETS, VIOLATES, "token-in-environment", resource="orders-build", program=PROJECT + '''\
project("orders-build", environment={"environment_variables": [
    {"name": "SONAR_TOKEN", "value": "squ_0123456789abcdef0123456789abcdef01234567"}]})
'''),
    Variant(_SECRETS, VIOLATES, "database-url-with-password-args", resource="orders-itest",
            program=PROJECT + '''\
db_host = pulumi.Config().get("dbHost") or "orders-db.internal"
aws.codebuild.Project("orders-itest", aws.codebuild.ProjectArgs(
    service_role=BUILD_ROLE, encryption_key=BUILD_KEY,
    artifacts=aws.codebuild.ProjectArtifactsArgs(type="CODEPIPELINE"),
    source=aws.codebuild.ProjectSourceArgs(type="CODEPIPELINE", buildspec=GOOD_SPEC),
    environment=aws.codebuild.ProjectEnvironmentArgs(
        compute_type="BUILD_GENERAL1_SMALL", image="aws/codebuild/standard:7.0", type="LINUX_CONTAINER",
        environment_variables=[aws.codebuild.ProjectEnvironmentEnvironmentVariableArgs(
            name="INTEGRATION_DB", type="PLAINTEXT",
            value=f"postgres://orders:s3cr3t-pw@{db_host}:5432/orders")])), opts=in_tooling)
'''),
    Variant(_SECRETS, VIOLATES, "buildspec-env-json", resource="orders-build", program=PROJECT + '''\
TAG = "$REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION"
spec = {"version": 0.2, "env": {"variables": {"NPM_TOKEN": "npm_" + "A1b2" * 9}},
        "phases": {"build": {"commands": ["npm ci", "npm test", f"docker build -t {TAG} ."]}}}
project("orders-build", buildspec=json.dumps(spec))
'''),
    Variant(_SECRETS, VIOLATES, "loop-over-config-dict", resource="orders-build", program=PROJECT + '''\
SETTINGS = {"LOG_LEVEL": "info", "STRIPE_SECRET_KEY": "sk_live_51H8abcdEFGHijklMNOPqrst", "PORT": "8080"}
project("orders-build", environment={"environment_variables": [
    {"name": name, "value": value, "type": "PLAINTEXT"} for name, value in SETTINGS.items()]})
'''),
    Variant(_SECRETS, VIOLATES, "git-remote-with-token-neutral-name", resource="orders-release",
            program=PROJECT + '''\
token = "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
project("orders-release", environment={"environment_variables": [
    {"name": "GIT_REMOTE", "value": f"https://release-bot:{token}@github.com/acme/orders.git"}]})
'''),
    # The password is a literal, but the URL is concatenated with an address known only after apply: the
    # whole value is unknown during preview (the preview blind spot designed in preflight/).
    Variant(_SECRETS, VIOLATES, "database-url-concat-with-db-address", resource="orders-itest",
            program=PROJECT + '''\
db = aws.rds.Instance("orders-db", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
    username="orders", password=pulumi.Output.secret("s3cr3t-pw"), skip_final_snapshot=True, opts=in_tooling)
project("orders-itest", environment={"environment_variables": [
    {"name": "INTEGRATION_DB", "value": pulumi.Output.concat(
        "postgres://orders:s3cr3t-pw@", db.id, ".c9akciq32.us-east-1.rds.amazonaws.com:5432/orders")}]})
'''),
    Variant(_SECRETS, NEAR_MISS, "store-references-and-config-about-secrets", program=PROJECT + '''\
project("orders-build", environment={"environment_variables": [
    {"name": "DB_PASSWORD", "value": "orders/prod/db:password", "type": "SECRETS_MANAGER"},
    {"name": "SONAR_TOKEN", "value": "/orders/ci/sonar-token", "type": "PARAMETER_STORE"},
    {"name": "DB_SECRET_ARN",
     "value": f"arn:aws:secretsmanager:us-east-1:{TOOLING}:secret:orders/db-AbCdEf"},
    {"name": "TOKEN_ENDPOINT", "value": "https://auth.example.com/oauth2/token"},
    {"name": "PASSWORD_MIN_LENGTH", "value": "12"},
    {"name": "DATABASE_URL", "value": "postgres://orders@orders-db.internal:5432/orders"},
    {"name": "STRIPE_PUBLISHABLE_KEY", "value": "pk_live_51H8abcdEFGHijklMNOPqrst"}]})
'''),
    Variant(_SECRETS, NEAR_MISS, "password-reference-inside-url", program=PROJECT + '''\
project("orders-itest", environment={"environment_variables": [
    {"name": "DATABASE_URL", "value": "postgres://orders:${DB_PASSWORD}@orders-db.internal:5432/orders"},
    {"name": "DB_PASSWORD", "value": "/orders/ci/db-password", "type": "PARAMETER_STORE"}]})
'''),
    Variant(_SECRETS, NEAR_MISS, "buildspec-parameter-store", program=PROJECT + '''\
project("orders-build", buildspec="""\\
version: 0.2
env:
  variables:
    NEXT_PUBLIC_API_KEY: AIzaSyA-0123456789abcdefghijklmnopqrs
  parameter-store:
    NPM_TOKEN: /orders/ci/npm-token
phases:
  build:
    commands:
      - npm ci && npm test
""", environment={"privileged_mode": False})
'''),

    # ---- credentials in source URLs ------------------------------------------------------------
    Variant(_SOURCE_URL, VIOLATES, "bitbucket-user-password", resource="orders-ci",
            program=PROJECT + _GITHUB_PROJECT + '''\
github_project("orders-ci", "https://ci-bot:s3cret@bitbucket.org/acme/orders.git")
'''),
    Variant(_SOURCE_URL, VIOLATES, "token-from-config-as-user", resource="orders-ci",
            config={"githubToken": "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"},
            program=PROJECT + _GITHUB_PROJECT + '''\
token = pulumi.Config().require("githubToken")
github_project("orders-ci", f"https://{token}@github.com/acme/orders.git")
'''),
    Variant(_SOURCE_URL, VIOLATES, "secondary-source-args", resource="orders-ci",
            program=PROJECT + _GITHUB_PROJECT + '''\
github_project("orders-ci", "https://github.com/acme/orders.git", secondary_sources=[
    aws.codebuild.ProjectSecondarySourceArgs(source_identifier="lib", type="GITHUB",
        location="https://oauth2:glpat-Ab12Cd34Ef56Gh78Ij90@gitlab.com/acme/lib.git")])
'''),
    Variant(_SOURCE_URL, NEAR_MISS, "plain-url-and-source-credential",
            program=PROJECT + _GITHUB_PROJECT + '''\
aws.codebuild.SourceCredential("github", auth_type="PERSONAL_ACCESS_TOKEN", server_type="GITHUB",
    token=pulumi.Output.secret("ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"), opts=in_tooling)
github_project("orders-ci", "https://github.com/acme/orders.git",
    secondary_sources=[{"source_identifier": "lib", "type": "GITHUB",
                        "location": "https://github.com/acme/lib.git"}])
'''),

    Variant(_SOURCE_URL, NEAR_MISS, "ssh-and-token-less-https", program=PROJECT + _GITHUB_PROJECT + '''\
github_project("orders-ci", "git@github.com:acme/orders.git", secondary_sources=[
    {"source_identifier": "lib", "type": "GITHUB", "location": "ssh://git@github.com/acme/lib.git"}])
'''),

    # ---- privileged mode ------------------------------------------------------------------------
    Variant(_PRIVILEGED, VIOLATES, "tests-only", resource="orders-test", program=PROJECT + '''\
project("orders-test", buildspec="""\\
version: 0.2
phases:
  build:
    commands:
      - pip install -r requirements.txt
      - python -m pytest -q
""")
'''),
    Variant(_PRIVILEGED, VIOLATES, "args-class-lint", resource="orders-lint", program=PROJECT + '''\
aws.codebuild.Project("orders-lint", aws.codebuild.ProjectArgs(
    service_role=BUILD_ROLE, encryption_key=BUILD_KEY,
    artifacts=aws.codebuild.ProjectArtifactsArgs(type="CODEPIPELINE"),
    source=aws.codebuild.ProjectSourceArgs(type="CODEPIPELINE",
        buildspec="version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - npx eslint .\\n"),
    environment=aws.codebuild.ProjectEnvironmentArgs(compute_type="BUILD_GENERAL1_SMALL",
        image="aws/codebuild/standard:7.0", type="LINUX_CONTAINER", privileged_mode=True)), opts=in_tooling)
'''),
    Variant(_PRIVILEGED, VIOLATES, "loop-json-buildspecs", resource="orders-docs", program=PROJECT + '''\
STEPS = {"image": ["docker build -t $REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION ."],
         "docs": ["pip install mkdocs", "mkdocs build --strict"]}
for name, commands in STEPS.items():
    spec = {"version": 0.2, "phases": {"build": {"commands": commands}}}
    project(f"orders-{name}", buildspec=json.dumps(spec))
'''),
    Variant(_PRIVILEGED, NEAR_MISS, "image-build", program=PROJECT + 'project("orders-build")\n'),
    Variant(_PRIVILEGED, NEAR_MISS, "compose-integration-tests", program=PROJECT + '''\
project("orders-itest", buildspec="""\\
version: 0.2
phases:
  pre_build:
    commands:
      - docker compose -f compose.test.yml up -d postgres
  build:
    commands:
      - python -m pytest -q tests/integration
""")
'''),
    Variant(_PRIVILEGED, NEAR_MISS, "buildspec-file-unknown", program=PROJECT + '''\
project("orders-build", buildspec="ci/buildspec.yml")
'''),
]
