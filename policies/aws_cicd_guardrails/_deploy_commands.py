"""Shell commands that deploy (pulumi up, cdk deploy, terraform apply, aws ecs update-service, ...), commands
that pick the target (stack / workspace / kube context / assumed role), and prod evidence in their words.

A dry run (`--dry-run`, `--no-execute-changeset`) is not a deploy; neither are preview-like commands
(`pulumi preview`, `cdk synth`, `terraform plan`), which simply do not appear below.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from . import _prod
from ._common import account_of_arn
from ._shell import UNKNOWN, basename, command_words, positionals

# tool -> {first positional word: label}; "*" marks a tool whose every invocation with that word deploys.
_SUBCOMMANDS: dict[str, dict[str, str]] = {
    "pulumi": {"up": "pulumi up", "update": "pulumi up", "destroy": "pulumi destroy"},
    "cdk": {"deploy": "cdk deploy", "destroy": "cdk destroy"},
    "aws-cdk": {"deploy": "cdk deploy"},
    "cdktf": {"deploy": "cdktf deploy"},
    "sam": {"deploy": "sam deploy", "sync": "sam sync"},
    "terraform": {"apply": "terraform apply", "destroy": "terraform destroy"},
    "tofu": {"apply": "tofu apply", "destroy": "tofu destroy"},
    "terragrunt": {"apply": "terragrunt apply", "run-all": "terragrunt run-all",
                   "destroy": "terragrunt destroy"},
    "kubectl": {"apply": "kubectl apply", "create": "kubectl create", "replace": "kubectl replace",
                "patch": "kubectl patch", "set": "kubectl set", "rollout": "kubectl rollout"},
    "helm": {"upgrade": "helm upgrade", "install": "helm install", "rollback": "helm rollback"},
    "serverless": {"deploy": "serverless deploy"},
    "sls": {"deploy": "serverless deploy"},
    "eb": {"deploy": "eb deploy"},
    "copilot": {"deploy": "copilot deploy", "svc": "copilot svc deploy", "job": "copilot job deploy"},
}
# Subcommands that deploy only with one of these second words.
_NEEDS_SECOND: dict[str, dict[str, set[str]]] = {
    "copilot": {"svc": {"deploy"}, "job": {"deploy"}},
    "kubectl": {"set": {"image", "env"}, "rollout": {"restart", "undo"}},
    "terragrunt": {"run-all": {"apply", "destroy"}},
}
_AWS_DEPLOYS = {
    "cloudformation": {"deploy", "create-stack", "update-stack", "execute-change-set", "update-stack-set",
                       "create-stack-instances", "update-stack-instances", "delete-stack"},
    "ecs": {"update-service", "create-service", "deploy"},
    "lambda": {"update-function-code", "update-alias", "publish-version", "update-function-configuration"},
    "deploy": {"create-deployment"},
    "elasticbeanstalk": {"update-environment"},
    "apprunner": {"start-deployment", "update-service"},
}
_GLOBAL_WITH_VALUE = {"--cwd", "-C", "-s", "--stack", "--profile", "--region", "--context", "-c", "--app",
                      "-a", "--namespace", "-n", "--kube-context", "--kubeconfig", "--output", "--query",
                      "--endpoint-url", "-chdir", "--config-env", "--stage"}
_DRY_RUN = re.compile(r"^--(dry-run(=(?!none$).*)?|no-execute-changeset|preview-only)$")
_SCRIPT = re.compile(r"(^|[/_.:-])deploy([-_.:]|$)", re.IGNORECASE)
_RUNNERS = {"npm", "yarn", "pnpm", "bun", "make", "just", "task", "invoke", "bash", "sh", "zsh", "python",
            "python3", "node", "poetry", "pipenv", "uv", "npx"}
# Commands (and their first words) that choose where the next commands act.
_CONTEXT = [("pulumi", "stack"), ("terraform", "workspace"), ("tofu", "workspace"), ("kubectl", "config"),
            ("aws", "sts"), ("aws", "eks"), ("aws", "configure"), ("source", None), (".", None),
            ("cdk", "bootstrap")]
# Variable names whose value picks the target of a deploy (STAGE=prod, AWS_PROFILE=prod, DEPLOY_ROLE_ARN=...).
TARGET_VARIABLE = re.compile(
    r"(^|_)(STAGE|ENV|ENVIRONMENT|STACK|STACK_NAME|WORKSPACE|PROFILE|CONTEXT|ACCOUNT|ACCOUNT_ID|ROLE|"
    r"ROLE_ARN|TARGET|TARGET_ENV|CLUSTER|KUBE_CONTEXT|DEPLOY_ENV)$", re.IGNORECASE)
_PIECES = re.compile(r"[=,.;@\"' ]+")
_ACCOUNT = re.compile(r"(?<!\d)(\d{12})(?!\d)")


def deploy_label(segment: str) -> Optional[str]:
    """What a command deploys with ("pulumi up", "aws ecs update-service", "deploy script"), or None."""
    tokens = command_words(segment)
    if not tokens or any(_DRY_RUN.match(t) for t in tokens):
        return None
    tool = _tool(tokens[0])
    first = positionals(tokens[1:], _GLOBAL_WITH_VALUE)
    if tool == "aws":
        if len(first) >= 2 and first[1] in _AWS_DEPLOYS.get(first[0], ()):
            return f"aws {first[0]} {first[1]}"
        return None
    if tool in _SUBCOMMANDS:
        label = _SUBCOMMANDS[tool].get(first[0]) if first else None
        needed = _NEEDS_SECOND.get(tool, {}).get(first[0]) if label else None
        if needed and not set(first[1:2]) & needed:
            return None
        return label
    if tool in _RUNNERS:
        rest = [w for w in first if w not in ("run", "exec", "x", "dlx", "-m", "--")]
        if rest and _tool(rest[0]) in (*_SUBCOMMANDS, "aws"):
            return deploy_label(" ".join(tokens[tokens.index(rest[0]):]))
        if rest and _SCRIPT.search(basename(rest[0])):
            return f"{tool} {rest[0]}"
        return None
    return "deploy script" if _SCRIPT.search(tool) else None


def _tool(word: str) -> str:
    """`npx aws-cdk@2 deploy` -> aws-cdk; `/usr/local/bin/terraform` -> terraform."""
    name = basename(word)
    return name.split("@", 1)[0] if not name.startswith("@") else name


def is_context(segment: str) -> bool:
    tokens = command_words(segment)
    if not tokens:
        return False
    tool, rest = _tool(tokens[0]), positionals(tokens[1:], _GLOBAL_WITH_VALUE)
    return any(tool == t and (sub is None or sub in rest[:1]) for t, sub in _CONTEXT)


def account_evidence(text: str, cfg: Mapping[str, Any]) -> Optional[str]:
    """A prod account named by `text` (an ARN in it, or its id), described, or None."""
    prod = _prod.prod_accounts(cfg)
    if not prod:
        return None
    for word in text.replace(UNKNOWN, " ").split():
        for piece in re.split(r"[=,;\"']+", word):
            if _prod.account_is_prod(account_of_arn(piece), cfg):
                return f"names {piece} in prod account {account_of_arn(piece)}"
            m = _ACCOUNT.search(piece)
            if m and m.group(1) in prod:
                return f"targets prod account {m.group(1)}"
    return None


def name_evidence(text: str, cfg: Mapping[str, Any]) -> Optional[str]:
    """A word of `text` (or a piece of it: `env=prod`, `prod.tfvars`) that names prod, or None."""
    for word in text.replace(UNKNOWN, " ").split():
        for piece in [word, *_PIECES.split(word)]:
            if piece and _prod.name_is_prod(piece, cfg):
                return f"names \"{piece}\""
    return None


def evidence(text: str, cfg: Mapping[str, Any], names: bool = True) -> Optional[str]:
    return account_evidence(text, cfg) or (name_evidence(text, cfg) if names else None)
