"""CodeBuild buildspec rules: images are tagged with the commit, tests run before the image build.

Only an inline buildspec (`source.buildspec` holding YAML) can be inspected; a file name (or no
buildspec: `buildspec.yml` in the source) is read at build time, so these rules report nothing.
Shell commands are read step by step (lines, `&&`, `||`, `;`) in phase order.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from ._common import as_list, as_str, get, parse_yaml, str_list
from ._image_commands import BUILDING_TOOLS, ImageRef, image_refs, tag_of
from ._registry import resource_rule
from ._shell import ASSIGNMENT, UNKNOWN, ShellEnv
from .images import compiled_patterns

PROJECT = "aws:codebuild/project:Project"
PHASES = ("install", "pre_build", "build", "post_build")
COMMIT_VARIABLES = ("CODEBUILD_RESOLVED_SOURCE_VERSION", "CODEBUILD_SOURCE_VERSION")
BUILD_IMAGE = re.compile(
    r"\b(?:docker(?:\s+|-)compose\s+build|docker\s+(?:buildx\s+(?:build|bake)|image\s+build|build))\b")
# Docker commands that talk to the daemon, which only privileged mode starts in a CodeBuild container.
DAEMON_COMMAND = re.compile(
    r"\b(?:docker(?:\s+|-)compose\b.*\s(?:up|run|build|start|exec)\b|"
    r"docker\s+(?:run|create|start|exec|pull|push|tag|load|commit|buildx|image|container))\b")
IMAGE_COMMAND = re.compile(
    r"\b(?:docker|podman|nerdctl|finch)\s+(?:buildx\s+build|image\s+(?:build|tag|push)|build|tag|push)\b")
VARIABLE_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
STEP_SEPARATOR = re.compile(r"&&|\|\||;")
DEFAULT_TEST_COMMANDS = [
    r"\bpytest\b", r"\bpython[0-9.]*\s+-m\s+(pytest|unittest)\b", r"\b(tox|nox)\b",
    r"\b(npm|yarn|pnpm|bun)\s+(run\s+)?test\b", r"\b(jest|vitest|mocha)\b", r"\bgo\s+test\b",
    r"\bcargo\s+test\b", r"\bdotnet\s+test\b", r"\bmvnw?\b.*\b(test|verify)\b",
    r"\bgradlew?\b.*\b(test|check)\b", r"\bmake\b.*\b(test|check)\b", r"\b(rspec|phpunit)\b",
]


@dataclass(frozen=True)
class Step:
    phase: str
    text: str


def inline_buildspec(props: Any) -> Optional[Mapping]:
    """The project's inline buildspec as a mapping, or None (a file name, none, or not YAML)."""
    text = get(props, "source", 0, "buildspec")
    stripped = text.strip() if isinstance(text, str) else ""
    if "\n" not in stripped and stripped.lower().endswith((".yml", ".yaml")):
        return None
    spec = parse_yaml(text)
    return spec if isinstance(spec, Mapping) else None


def steps(spec: Mapping) -> list[Step]:
    out = []
    for phase in PHASES:
        for key in ("commands", "finally"):
            for command in str_list(get(spec, "phases", phase, key)):
                parts = (p.strip() for line in command.splitlines() for p in STEP_SEPARATOR.split(line))
                out.extend(Step(phase, part) for part in parts if part)
    return out


def uses_docker_daemon(spec: Mapping) -> bool:
    """The buildspec builds images or runs containers (docker compose up for integration tests, ...)."""
    return any(BUILD_IMAGE.search(s.text) or DAEMON_COMMAND.search(s.text) for s in steps(spec))


def env_variables(spec: Mapping) -> list[tuple[Any, Any]]:
    variables = get(spec, "env", "variables")
    return list(variables.items()) if isinstance(variables, Mapping) else []


@resource_rule(
    "codebuild-buildspec-images-tagged-with-commit",
    types=[PROJECT],
    description="A buildspec must tag the images it builds with the commit SHA and never with latest.",
    severity="high",
    remediation=("Tag and push $REPOSITORY_URI:$IMAGE_TAG with IMAGE_TAG derived from "
                 "$CODEBUILD_RESOLVED_SOURCE_VERSION; never build, tag, push or copy to :latest."),
    topic="supply-chain",
)
def codebuild_buildspec_images_tagged_with_commit(args, cfg):
    spec = inline_buildspec(args.props)
    if spec is None:
        return
    all_steps = steps(spec)
    commit_vars = commit_variables(spec, all_steps)
    env = build_env(spec, args.props)
    refs = []
    for step in all_steps:
        refs += [(step, ref, _latest_problem(ref, env)) for ref in image_refs(step.text)]
        env.run(step.text)
    reported = set()
    for step, ref, problem in refs:
        if problem and ref.ref not in reported:
            reported.add(ref.ref)
            yield (f"buildspec of project \"{args.name}\" ({step.phase}: `{step.text}`) {problem}; tag "
                   "images with $CODEBUILD_RESOLVED_SOURCE_VERSION, never latest")
    builds = any(IMAGE_COMMAND.search(s.text) for s in all_steps) or any(
        r.tool in BUILDING_TOOLS and r.verb != "source" for _, r, _ in refs)
    if builds and not any(_references(r.ref, commit_vars) for _, r, _ in refs):
        yield (f"buildspec of project \"{args.name}\" builds or pushes images without tagging them with "
               "the commit; use $CODEBUILD_RESOLVED_SOURCE_VERSION (or a variable derived from it) as the "
               "image tag")


def _latest_problem(ref: ImageRef, env: ShellEnv) -> Optional[str]:
    if ref.verb == "source":
        return None
    tag, known = tag_of(ref.ref, env.expand)
    if not known:
        return None  # the tag comes from something the build does not declare: not judged
    if tag is not None and tag.lower() == "latest":
        moved = "uses the tag" if ref.tool in BUILDING_TOOLS else f"moves the tag with {ref.tool} to"
        resolved = "" if ref.ref.lower().endswith(":latest") else " (its tag resolves to \"latest\")"
        return f"{moved} \"{ref.ref}\"{resolved}"
    if tag is None and "@" not in ref.ref and ref.verb == "push":
        return f"pushes \"{ref.ref}\" without a tag (the registry gets :latest)"
    return None


def build_env(spec: Mapping, props: Any, overrides: Optional[Mapping[str, Any]] = None) -> ShellEnv:
    """The variables a build starts with: buildspec env < project environment < start-build overrides."""
    declared: dict[str, Any] = {n: _scalar(v) for n, v in env_variables(spec) if isinstance(n, str)}
    for key in ("parameter-store", "secrets-manager"):
        block = get(spec, "env", key)
        names = block if isinstance(block, Mapping) else {}
        declared.update({n: UNKNOWN for n in names if isinstance(n, str)})
    return ShellEnv([declared, _ProjectVariables(props), dict(overrides or {})])


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) else UNKNOWN


class _ProjectVariables(Mapping):
    """The project's environment variables, read only when a variable is looked up (names) and a value
    is needed (values): a value from another resource is unknown during preview."""

    def __init__(self, props: Any):
        self._props = props
        self._vars: Optional[dict[str, Any]] = None

    def _load(self) -> dict[str, Any]:
        if self._vars is None:
            self._vars = {}
            for v in as_list(get(self._props, "environment", 0, "environmentVariables")):
                name = get(v, "name") if isinstance(v, Mapping) else None
                if isinstance(name, str):
                    plain = (as_str(get(v, "type")) or "PLAINTEXT").upper() == "PLAINTEXT"
                    self._vars[name] = (lambda v=v: _scalar(get(v, "value"))) if plain else UNKNOWN
        return self._vars

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def commit_variables(spec: Mapping, all_steps: list[Step]) -> set[str]:
    """The commit variables plus every variable assigned (transitively) from one of them."""
    assignments = [(n, v) for n, v in env_variables(spec) if isinstance(n, str) and isinstance(v, str)]
    assignments += [m.groups() for m in (ASSIGNMENT.match(s.text) for s in all_steps) if m]
    derived = set(COMMIT_VARIABLES)
    changed = True
    while changed:
        fresh = {name for name, value in assignments if name not in derived and _references(value, derived)}
        derived |= fresh
        changed = bool(fresh)
    return derived


def _references(text: str, names: set[str]) -> bool:
    return any(m.group(1) in names for m in VARIABLE_REFERENCE.finditer(text))


@resource_rule(
    "codebuild-buildspec-tests-before-build",
    types=[PROJECT],
    description="A buildspec must run the tests before it builds the image.",
    severity="medium",
    remediation=("Run the test suite (pytest, npm test, go test, ...) in pre_build, before `docker build` "
                 "in build."),
    topic="delivery-quality",
    config={"testCommandPatterns": {
        "type": "array", "items": {"type": "string", "format": "regex"}, "default": DEFAULT_TEST_COMMANDS,
        "description": "Regular expressions over buildspec commands that count as running tests."}},
)
def codebuild_buildspec_tests_before_build(args, cfg):
    spec = inline_buildspec(args.props)
    if spec is None:
        return
    all_steps = steps(spec)
    build_at = next((i for i, s in enumerate(all_steps) if BUILD_IMAGE.search(s.text)), None)
    if build_at is None:
        return
    patterns = compiled_patterns(cfg.get("testCommandPatterns"), "testCommandPatterns")
    if any(rx.search(s.text) for s in all_steps[:build_at] for rx in patterns):
        return
    build = all_steps[build_at]
    yield (f"buildspec of project \"{args.name}\" builds the image ({build.phase}: `{as_str(build.text)}`) "
           "without running tests first; run the test suite in pre_build (or earlier in the same phase)")
