"""Shell commands of the pipeline's Lambda deploy action (CodePipeline `Commands`, run with the target
account's deploy role): publish the built code as a new version, then let the LambdaCanaryService's
CodeDeploy deployment group shift the alias to it (canary/linear, alarms roll back) and wait for the result.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Optional

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class LambdaDeploy:
    function_name: str
    alias: str
    application_name: str
    deployment_group_name: str
    package_path: Optional[str] = None     # zip functions: the built package in the input artifact
    image_detail_path: Optional[str] = None  # image functions: imageDetail.json ({"ImageURI": ...})


def _appspec_printf() -> str:
    """One-line AppSpec (JSON is YAML) filled with the current and target versions at deploy time."""
    spec = {"version": 0.0, "Resources": [{"function": {"Type": "AWS::Lambda::Function", "Properties": {
        "Name": "%s", "Alias": "%s", "CurrentVersion": "%s", "TargetVersion": "%s"}}}]}
    return json.dumps(spec, separators=(",", ":"))


def lambda_deploy_commands(d: LambdaDeploy) -> list[str]:
    for label, value in (("function", d.function_name), ("alias", d.alias),
                         ("application", d.application_name), ("deployment group", d.deployment_group_name)):
        if not _NAME.match(value):
            raise ValueError(f"{label} name must be [A-Za-z0-9_.-]{{1,100}}, got {value!r}")
    if (d.package_path is None) == (d.image_detail_path is None):
        raise ValueError("give exactly one of package_path (zip) or image_detail_path (image)")
    code = (f"--zip-file fileb://{d.package_path}" if d.package_path
            else f'--image-uri "$(jq -r .ImageURI {d.image_detail_path})"')
    return [
        "set -euo pipefail",
        f'CURRENT=$(aws lambda get-alias --function-name {d.function_name} --name {d.alias} '
        f'--query FunctionVersion --output text)',
        f"TARGET=$(aws lambda update-function-code --function-name {d.function_name} {code} --publish "
        f"--query Version --output text)",
        f"aws lambda wait function-updated-v2 --function-name {d.function_name}",
        f"APPSPEC=$(printf '{_appspec_printf()}' {d.function_name} {d.alias} \"$CURRENT\" \"$TARGET\")",
        "REVISION=$(jq -cn --arg c \"$APPSPEC\" '{revisionType:\"AppSpecContent\",appSpecContent:{content:$c}}')",
        f"DEPLOYMENT=$(aws deploy create-deployment --application-name {d.application_name} "
        f"--deployment-group-name {d.deployment_group_name} --revision \"$REVISION\" "
        f"--query deploymentId --output text)",
        'aws deploy wait deployment-successful --deployment-id "$DEPLOYMENT"',
    ]
