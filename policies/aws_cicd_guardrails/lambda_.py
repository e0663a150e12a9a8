"""Lambda rules: images, runtimes, environment secrets, permissions. The prod alias + CodeDeploy
rule needs the whole stack and lives in lambda_deploy.py (imported here so it registers)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pulumi_policy.proxy import UnknownValueError

from . import lambda_runtimes
from ._common import as_str, get
from ._registry import resource_rule
from .env_secrets import CONFIG as SECRET_CONFIG, secret_variables
from .images import unpinned_reason
from . import lambda_deploy  # noqa: F401  (registrations)

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"


@resource_rule(
    "lambda-function-image-pinned",
    types=[FUNCTION],
    description=("Container-image functions must reference their image by digest or an immutable tag, never "
                 ":latest or untagged."),
    severity="high",
    remediation="Set image_uri to <repo>@sha256:<digest> (or the git-SHA tag the build pushed).",
    topic="supply-chain",
)
def lambda_function_image_pinned(args, cfg):
    image = get(args.props, "imageUri")
    reason = unpinned_reason(image)
    if reason:
        yield f"function \"{args.name}\" image \"{image}\" {reason}; pin it by digest or a git-SHA tag"


@resource_rule(
    "lambda-function-runtime-supported",
    types=[FUNCTION],
    description="Lambda functions must not use a runtime AWS has deprecated.",
    severity="medium",
    remediation=("Move the function to the runtime's successor (e.g. python3.14, nodejs24.x, java25) and "
                 "redeploy."),
    topic="patching",
    anchors=["SH Lambda.2", "CKV_AWS_363"],
    config={"deprecatedRuntimes": {
        "type": "object", "additionalProperties": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "default": {},
        "description": (f"Runtime -> deprecation date (YYYY-MM-DD), over the built-in table (AWS, as of "
                        f"{lambda_runtimes.TABLE_AS_OF}).")}},
)
def lambda_function_runtime_supported(args, cfg):
    runtime = get(args.props, "runtime")
    if not isinstance(runtime, str) or not runtime:
        return
    deprecated_on = lambda_runtimes.deprecation_date(runtime, cfg.get("deprecatedRuntimes"))
    if deprecated_on is not None and deprecated_on <= dt.datetime.now(dt.timezone.utc).date():
        yield (f"function \"{args.name}\" uses runtime \"{runtime}\", deprecated since "
               f"{deprecated_on.isoformat()} (no more security patches); move it to "
               f"{lambda_runtimes.successor(runtime)}")


@resource_rule(
    "lambda-function-no-environment-secrets",
    types=[FUNCTION],
    description="Lambda functions must not hold secrets in plain environment variables.",
    severity="critical",
    remediation=("Store the secret in Secrets Manager or Parameter Store, pass its name/ARN in the "
                 "environment and read it at runtime (or with the Parameters and Secrets extension)."),
    topic="secrets",
    anchors=["CKV_AWS_45"],
    config=SECRET_CONFIG,
)
def lambda_function_no_environment_secrets(args, cfg):
    variables = get(args.props, "environment", 0, "variables")
    if not isinstance(variables, Mapping):
        return
    pairs, unknown = [], None
    for name in variables:  # iterating reads keys only; a value computed by another resource is unknown
        try:
            pairs.append((name, variables[name]))
        except UnknownValueError as e:
            unknown = unknown or e
    for name, reason in secret_variables(pairs, cfg):
        yield (f"function \"{args.name}\" environment variable {name!r} {reason}; store it in Secrets "
               "Manager or Parameter Store and pass only its name or ARN")
    # Re-raised once the known values are judged: a plaintext password next to a queue URL is reported
    # in preview, and the SDK still lists the rule as not evaluated for the unknown values.
    if unknown is not None:
        raise unknown


@resource_rule(
    "lambda-permission-principal-scoped",
    types=[PERMISSION],
    description=("A Lambda permission must name its principal (or restrict \"*\" to an organisation) and "
                 "scope a service principal with sourceArn or sourceAccount."),
    severity="critical",
    remediation=("Grant a specific account or role, never \"*\" (unless principal_org_id limits it to your "
                 "organisation); for a service principal (s3.amazonaws.com, events.amazonaws.com, ...) set "
                 "source_arn and/or source_account."),
    topic="access-control",
    anchors=["SH Lambda.1", "CKV_AWS_364"],
)
def lambda_permission_principal_scoped(args, cfg):
    principal = as_str(get(args.props, "principal")).strip()
    # principal_org_id makes Lambda add an aws:PrincipalOrgID condition: only the organisation's principals.
    if principal == "*" and not as_str(get(args.props, "principalOrgId")).strip():
        yield (f"permission \"{args.name}\" lets principal \"*\" (anyone) invoke the function; grant a "
               "specific account, role or service with source_arn")
    elif principal.endswith(".amazonaws.com") and not (as_str(get(args.props, "sourceArn"))
                                                        or as_str(get(args.props, "sourceAccount"))):
        yield (f"permission \"{args.name}\" lets {principal} invoke the function on behalf of any account "
               "(confused deputy); set source_arn and/or source_account")
