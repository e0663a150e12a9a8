"""Walking a CodePipeline's stages and actions (aws:codepipeline/pipeline:Pipeline wire shape).

`stages[]` hold `name` and `actions[]`; an action carries `category`, `owner`, `provider`,
`name`, `configuration` (map of strings), `roleArn`, `runOrder`, `commands` (Commands actions).
Stages run in list order; inside a stage, actions run in runOrder groups: the default runOrder is 1,
actions with the same runOrder run in parallel and a group starts when the lower one has succeeded
(https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html, runOrder).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

from . import _prod
from ._common import account_of_arn, as_list, as_map, as_number, as_str, get, parse_json, str_list
from ._shell import UNKNOWN

_DEPLOY_WORD = re.compile(r"deploy", re.IGNORECASE)
# DeployStrategy of the Lambda deploy action that shifts traffic gradually
# (action-reference-LambdaDeploy.html);
# AllAtOnce is the default when the key is absent.
_GRADUAL_STRATEGY = re.compile(r"^(Canary\d+Percent\d+Minutes?|Linear\d+PercentEvery\d+Minutes?)$")
# Providers whose actions run arbitrary deployment code when named for it (a build or Lambda "deploy" step).
_INVOKING_PROVIDERS = {"CodeBuild", "Lambda", "Commands"}
# Configuration keys whose ARN value names the account the action acts in.
_TARGET_KEYS = ("RoleArn", "FunctionName", "ProjectName", "ClusterName", "ServiceName", "ApplicationName")


@dataclass(frozen=True)
class Action:
    stage_index: int
    stage: str
    name: str
    category: str
    owner: str
    provider: str
    configuration: Mapping
    role_arn: str
    raw: Mapping = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def run_order(self) -> float:
        """The action's runOrder (1 when unset): read only by the rules that order actions in a stage."""
        value = as_number(get(self.raw, "runOrder"))
        return value if value is not None else 1.0

    @property
    def position(self) -> tuple[int, float]:
        return self.stage_index, self.run_order

    @property
    def commands(self) -> list[str]:
        """The shell commands of a Commands action."""
        return str_list(get(self.raw, "commands"))

    def environment_overrides(self) -> dict[str, str]:
        """A CodeBuild action's EnvironmentVariables (JSON list) by name; a parameter / secret is UNKNOWN."""
        out = {}
        for v in as_list(parse_json(self.configuration.get("EnvironmentVariables"))):
            name, value = get(v, "name"), get(v, "value")
            if isinstance(name, str):
                plain = (as_str(get(v, "type")) or "PLAINTEXT").upper() == "PLAINTEXT"
                out[name] = value if plain and isinstance(value, str) else UNKNOWN
        return out

    def label(self) -> str:
        return f"action \"{self.name}\" (stage \"{self.stage}\")"

    @property
    def role_account(self) -> Optional[str]:
        return account_of_arn(self.role_arn)

    def config(self, key: str) -> str:
        return as_str(self.configuration.get(key))

    def target_accounts(self) -> set[str]:
        """Accounts named by ARNs in the action's configuration (e.g. a CloudFormation RoleArn)."""
        return {a for a in (account_of_arn(self.configuration.get(k)) for k in _TARGET_KEYS) if a}


def actions(props: Any) -> Iterator[Action]:
    for index, stage in enumerate(as_list(get(props, "stages"))):
        stage_name = as_str(get(stage, "name"))
        for action in as_list(get(stage, "actions")):
            yield Action(stage_index=index, stage=stage_name, name=as_str(get(action, "name")),
                         category=as_str(get(action, "category")), owner=as_str(get(action, "owner")),
                         provider=as_str(get(action, "provider")),
                         configuration=as_map(get(action, "configuration")),
                         role_arn=as_str(get(action, "roleArn")), raw=as_map(action))


def is_deploy(action: Action) -> bool:
    if action.category == "Deploy":
        return True
    return action.provider in _INVOKING_PROVIDERS and bool(_DEPLOY_WORD.search(action.name))


def is_lambda_deploy(action: Action) -> bool:
    """The CodePipeline Lambda deploy action (not the Lambda invoke action, category Invoke)."""
    return action.category == "Deploy" and action.owner == "AWS" and action.provider == "Lambda"


def lambda_deploy_problem(action: Action) -> Optional[str]:
    """Why a Lambda deploy action does not shift an alias gradually, or None when it does."""
    if not action.config("FunctionAlias"):
        return "has no FunctionAlias, so it deploys to $LATEST and every caller gets the new code at once"
    strategy = action.config("DeployStrategy")
    if not strategy:
        return "has no DeployStrategy, so it shifts all traffic at once (the default is AllAtOnce)"
    if strategy == "AllAtOnce":
        return "shifts all traffic at once (DeployStrategy \"AllAtOnce\")"
    if not _GRADUAL_STRATEGY.match(strategy):
        return f"has DeployStrategy {strategy!r}, which is neither a canary nor a linear shift"
    return None


def is_manual_approval(action: Action) -> bool:
    return action.category == "Approval" and action.provider == "Manual"


def is_prod(action: Action, cfg: Mapping[str, Any]) -> bool:
    """Prod: its role (or a target ARN) is in a prod account, or its stage / action name says so."""
    if _prod.account_is_prod(action.role_account, cfg):
        return True
    if action.target_accounts() & _prod.prod_accounts(cfg):
        return True
    return _prod.any_name_is_prod((action.stage, action.name), cfg)


def precedes(first: Action, then: Action) -> bool:
    """`first` has finished (succeeded) before `then` starts: an earlier stage, or a lower runOrder in the
    same stage. Actions with the same runOrder in one stage run in parallel."""
    return first.position < then.position


def pipeline_label(args: Any) -> str:
    return f"pipeline \"{args.name}\""
