"""CodeBuild project rules. Buildspec rules live in codebuild_buildspec.py (imported here so they
register)."""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from ._common import as_list, as_str, get, is_true
from ._registry import resource_rule
from .codebuild_buildspec import PROJECT, env_variables, inline_buildspec, uses_docker_daemon
from .env_secrets import CONFIG as SECRET_CONFIG, secret_variables

PLAINTEXT = "PLAINTEXT"
AWS_MANAGED_S3_KEY = "alias/aws/s3"
DEFAULT_COMPUTE_TYPES = ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"]


@resource_rule(
    "codebuild-project-no-plaintext-secrets",
    types=[PROJECT],
    description=("CodeBuild projects must not hold secrets in PLAINTEXT environment variables or buildspec "
                 "env variables."),
    severity="critical",
    remediation=("Store the value in Parameter Store or Secrets Manager and reference it with type "
                 "PARAMETER_STORE / SECRETS_MANAGER (or buildspec env parameter-store / secrets-manager)."),
    topic="secrets",
    anchors=["SH CodeBuild.2"],
    config=SECRET_CONFIG,
)
def codebuild_project_no_plaintext_secrets(args, cfg):
    plain = [(get(v, "name"), get(v, "value"))
             for v in as_list(get(args.props, "environment", 0, "environmentVariables"))
             if isinstance(v, Mapping) and (as_str(get(v, "type")) or PLAINTEXT).upper() == PLAINTEXT]
    for name, reason in secret_variables(plain, cfg):
        yield (f"project \"{args.name}\" environment variable {name!r} is PLAINTEXT and {reason}; use type "
               "PARAMETER_STORE or SECRETS_MANAGER with the parameter / secret name as value")
    spec = inline_buildspec(args.props)
    for name, reason in secret_variables(env_variables(spec) if spec is not None else [], cfg):
        yield (f"buildspec of project \"{args.name}\" sets env variable {name!r} in plain text and {reason}; "
               "move it to env parameter-store or secrets-manager")


@resource_rule(
    "codebuild-project-source-url-no-credentials",
    types=[PROJECT],
    description="CodeBuild source URLs must not embed credentials.",
    severity="critical",
    remediation=("Remove user:password@ / token@ from the URL; connect the source through CodeConnections "
                 "or source_credential."),
    topic="secrets",
    anchors=["SH CodeBuild.1"],
)
def codebuild_project_source_url_no_credentials(args, cfg):
    sources = [get(args.props, "source", 0)] + list(as_list(get(args.props, "secondarySources")))
    for source in sources:
        location = get(source, "location")
        if not isinstance(location, str):
            continue
        try:
            url = urlsplit(location.strip())
            has_credentials = url.scheme.lower() in ("http", "https") and bool(url.username or url.password)
        except ValueError:
            continue
        if has_credentials:
            masked = f"{url.scheme}://***@{url.hostname or ''}{url.path}"
            yield (f"project \"{args.name}\" source location {masked} embeds credentials; remove them and "
                   "authenticate through a CodeConnections connection")


@resource_rule(
    "codebuild-project-privileged-only-for-images",
    types=[PROJECT],
    description=("CodeBuild privileged mode must be on only when the buildspec uses the Docker daemon "
                 "(builds images or runs containers)."),
    severity="medium",
    remediation=("Set environment.privileged_mode=False unless the buildspec runs docker build / run / "
                 "compose."),
    topic="least-privilege",
    anchors=["SH CodeBuild.5"],
)
def codebuild_project_privileged_only_for_images(args, cfg):
    if not is_true(get(args.props, "environment", 0, "privilegedMode")):
        return
    spec = inline_buildspec(args.props)
    if spec is not None and not uses_docker_daemon(spec):
        yield (f"project \"{args.name}\" runs privileged (root access to the Docker daemon) but its "
               "buildspec neither builds images nor runs containers; set privileged_mode=False")


@resource_rule(
    "codebuild-project-logging-enabled",
    types=[PROJECT],
    description="CodeBuild projects must keep build logs in CloudWatch Logs or S3.",
    severity="medium",
    remediation=("Leave logs_config.cloudwatch_logs enabled (with a log group that has retention) or enable "
                 "s3_logs."),
    topic="observability",
    anchors=["SH CodeBuild.4"],
)
def codebuild_project_logging_enabled(args, cfg):
    logs = get(args.props, "logsConfig", 0)
    cloudwatch = as_str(get(logs, "cloudwatchLogs", 0, "status")).upper() or "ENABLED"
    s3 = as_str(get(logs, "s3Logs", 0, "status")).upper() or "DISABLED"
    if cloudwatch == "DISABLED" and s3 != "ENABLED":
        yield (f"project \"{args.name}\" disables CloudWatch logs and S3 logs: no build log survives; enable "
               "logs_config.cloudwatch_logs (or s3_logs)")


@resource_rule(
    "codebuild-project-kms-encrypted",
    types=[PROJECT],
    description="CodeBuild projects must encrypt build output with a customer-managed KMS key.",
    severity="medium",
    remediation="Set encryption_key to the ARN of the artifact store's customer-managed KMS key.",
    topic="encryption",
    anchors=["CKV_AWS_147", "nag CB4"],
)
def codebuild_project_kms_encrypted(args, cfg):
    key = as_str(get(args.props, "encryptionKey")).strip()
    if not key:
        yield (f"project \"{args.name}\" sets no encryptionKey (AWS-managed alias/aws/s3 is used); set "
               "encryption_key to a customer-managed KMS key ARN")
    elif key == AWS_MANAGED_S3_KEY or key.endswith(":" + AWS_MANAGED_S3_KEY):
        yield (f"project \"{args.name}\" encrypts with the AWS-managed key {key}; set encryption_key to a "
               "customer-managed KMS key ARN")


@resource_rule(
    "codebuild-project-artifacts-encrypted",
    types=[PROJECT],
    description="CodeBuild artifacts must not disable encryption.",
    severity="medium",
    remediation="Remove encryption_disabled=True from artifacts and secondary_artifacts.",
    topic="encryption",
    anchors=["CKV_AWS_78"],
)
def codebuild_project_artifacts_encrypted(args, cfg):
    artifacts = [("artifacts", get(args.props, "artifacts", 0))]
    artifacts += [(f"secondary artifact {as_str(get(a, 'artifactIdentifier')) or '#' + str(i + 1)!r}", a)
                  for i, a in enumerate(as_list(get(args.props, "secondaryArtifacts")))]
    for label, artifact in artifacts:
        kind = as_str(get(artifact, "type")).upper()
        if kind != "NO_ARTIFACTS" and is_true(get(artifact, "encryptionDisabled")):
            yield f"project \"{args.name}\" {label} disables encryption; remove encryption_disabled=True"


@resource_rule(
    "codebuild-project-cache-configured",
    types=[PROJECT],
    description="CodeBuild projects must cache dependencies or Docker layers between builds.",
    severity="low",
    remediation=("Set cache={\"type\": \"LOCAL\", \"modes\": [\"LOCAL_DOCKER_LAYER_CACHE\", "
                 "\"LOCAL_SOURCE_CACHE\"]} or an S3 cache with a location."),
    topic="cost",
)
def codebuild_project_cache_configured(args, cfg):
    cache = get(args.props, "cache", 0)
    kind = as_str(get(cache, "type")).upper() or "NO_CACHE"
    if kind == "S3" and as_str(get(cache, "location")):
        return
    if kind == "LOCAL" and as_list(get(cache, "modes")):
        return
    detail = {"S3": "S3 cache without a location", "LOCAL": "LOCAL cache without modes"}.get(kind, "no cache")
    yield (f"project \"{args.name}\" has {detail}; every build re-downloads dependencies and rebuilds all "
           "layers: configure a LOCAL (docker-layer, source) or S3 cache")


@resource_rule(
    "codebuild-project-compute-type-allowed",
    types=[PROJECT],
    description="CodeBuild projects must use a compute type from the configured allow-list.",
    severity="low",
    remediation=("Pick an allowed environment.compute_type (or extend allowedComputeTypes in the policy "
                 "config)."),
    topic="cost",
    config={"allowedComputeTypes": {
        "type": "array", "items": {"type": "string"}, "default": DEFAULT_COMPUTE_TYPES,
        "description": "CodeBuild compute types projects may use."}},
)
def codebuild_project_compute_type_allowed(args, cfg):
    compute = get(args.props, "environment", 0, "computeType")
    allowed = [c for c in as_list(cfg.get("allowedComputeTypes")) if isinstance(c, str)]
    if isinstance(compute, str) and compute not in allowed:
        yield (f"project \"{args.name}\" uses compute type {compute!r}, which is not allowed; use one of "
               f"{', '.join(allowed) or '(none configured)'}")
