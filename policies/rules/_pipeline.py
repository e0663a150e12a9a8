"""Walking a CodePipeline's stages and actions (aws:codepipeline/pipeline:Pipeline wire shape).

`stages[]` hold `name` and `actions[]`; an action carries `category`, `owner`, `provider`,
`name`, `configuration` (map of strings), `roleArn`, `runOrder`. Stages run in list order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional

from . import _prod
from ._common import account_of_arn, as_list, as_map, as_str, get

_DEPLOY_WORD = re.compile(r"deploy", re.IGNORECASE)
# DeployStrategy of the Lambda deploy action that shifts traffic gradually (action-reference-LambdaDeploy.html);
# AllAtOnce is the default when the key is absent.
_GRADUAL_STRATEGY = re.compile(r"^(Canary\d+Percent\d+Minutes?|Linear\d+PercentEvery\d+Minutes?)$")
# Providers whose actions run arbitrary deployment code when named for it (a build or Lambda "deploy" step).
_INVOKING_PROVIDERS = {"CodeBuild", "Lambda"}
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
                         role_arn=as_str(get(action, "roleArn")))


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


def prod_deploys(props: Any, cfg: Mapping[str, Any]) -> Iterator[Action]:
    for action in actions(props):
        if is_deploy(action) and is_prod(action, cfg):
            yield action


def first_stage_with(props: Any, predicate) -> Optional[int]:
    """Index of the first stage holding an action for which `predicate(action)` holds."""
    return next((a.stage_index for a in actions(props) if predicate(a)), None)


def pipeline_label(args: Any) -> str:
    return f"pipeline \"{args.name}\""
