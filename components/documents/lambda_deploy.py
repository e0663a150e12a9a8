"""Configuration of the pipeline's CodePipeline Lambda deploy action (category Deploy, owner AWS, provider
Lambda, version 1, V2 pipelines only; action-reference-LambdaDeploy.html).

The action updates the function's code from its input artifact (a .zip), publishes a version and shifts the
alias `FunctionAlias` to it at the rate of `DeployStrategy`; the alias's previous version is the rollback
target, and the action fails (rolling back) when one of `Alarms` goes to ALARM. Plain data in, the action's
`configuration` map out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

# LambdaServiceConfig.strategy -> DeployStrategy (the same pacing as the CodeDeploy configs of the service).
DEPLOY_STRATEGIES = {"canary": "Canary10Percent5Minutes", "linear": "Linear10PercentEvery1Minute",
                     "all-at-once": "AllAtOnce"}
ALARM_METRICS = ("Errors", "Throttles")
MAX_ALARMS = 10
_FUNCTION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ALIAS = re.compile(r"^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$")
_ALARM = re.compile(r"^[^,]{1,255}$")


def alarm_name(function_name: str, metric: str) -> str:
    """The CloudWatch alarm LambdaCanaryService creates for `metric` on the function's alias."""
    return f"{function_name}-{metric.lower()}"


@dataclass(frozen=True)
class LambdaDeploy:
    function_name: str
    alias: str
    strategy: str                  # a key of DEPLOY_STRATEGIES
    alarms: Sequence[str] = ()


def lambda_deploy_configuration(d: LambdaDeploy) -> dict[str, str]:
    if not _FUNCTION.match(d.function_name):
        raise ValueError(f"function name must be [A-Za-z0-9_-]{{1,64}}, got {d.function_name!r}")
    if not _ALIAS.match(d.alias):
        raise ValueError(f"alias must be [A-Za-z0-9_-]{{1,128}} and not a version number, got {d.alias!r}")
    if d.strategy not in DEPLOY_STRATEGIES:
        raise ValueError(f"strategy must be one of {list(DEPLOY_STRATEGIES)}, got {d.strategy!r}")
    if len(d.alarms) > MAX_ALARMS or not all(isinstance(a, str) and _ALARM.match(a) for a in d.alarms):
        raise ValueError(f"alarms must be at most {MAX_ALARMS} names without commas, got {list(d.alarms)!r}")
    configuration = {"FunctionName": d.function_name, "FunctionAlias": d.alias,
                     "DeployStrategy": DEPLOY_STRATEGIES[d.strategy]}
    if d.alarms:
        configuration["Alarms"] = ",".join(d.alarms)
    return configuration
