"""CodeBuild buildspec rules: images are tagged with the commit, tests run before the image build.

Only an inline buildspec (`source.buildspec` holding YAML) can be inspected; a file name (or no
buildspec: `buildspec.yml` in the source) is read at build time, so these rules report nothing.
Shell commands are read step by step (lines, `&&`, `||`, `;`) in phase order.
"""
from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from ._common import as_str, get, parse_yaml, str_list
from ._registry import resource_rule
from .images import compiled_patterns, split_reference

PROJECT = "aws:codebuild/project:Project"
PHASES = ("install", "pre_build", "build", "post_build")
COMMIT_VARIABLES = ("CODEBUILD_RESOLVED_SOURCE_VERSION", "CODEBUILD_SOURCE_VERSION")
BUILD_IMAGE = re.compile(
    r"\b(?:docker(?:\s+|-)compose\s+build|docker\s+(?:buildx\s+(?:build|bake)|image\s+build|build))\b")
IMAGE_COMMAND = re.compile(r"\bdocker\s+(?:(buildx)\s+build|image\s+(build|tag|push)|(build|tag|push))\b")
ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
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


def builds_image(spec: Mapping) -> bool:
    return any(BUILD_IMAGE.search(s.text) for s in steps(spec))


def env_variables(spec: Mapping) -> list[tuple[Any, Any]]:
    variables = get(spec, "env", "variables")
    return list(variables.items()) if isinstance(variables, Mapping) else []


@resource_rule(
    "codebuild-buildspec-images-tagged-with-commit",
    types=[PROJECT],
    description="A buildspec must tag the images it builds with the commit SHA and never with latest.",
    severity="high",
    remediation=("Tag and push $REPOSITORY_URI:$IMAGE_TAG with IMAGE_TAG derived from "
                 "$CODEBUILD_RESOLVED_SOURCE_VERSION; never build, tag or push :latest."),
    topic="supply-chain",
)
def codebuild_buildspec_images_tagged_with_commit(args, cfg):
    spec = inline_buildspec(args.props)
    if spec is None:
        return
    all_steps = steps(spec)
    commit_vars = commit_variables(spec, all_steps)
    refs = [(step, verb, ref) for step in all_steps for verb, ref in image_refs(step.text)]
    reported = set()
    for step, verb, ref in refs:
        problem = _latest_problem(verb, ref)
        if problem and ref not in reported:
            reported.add(ref)
            yield (f"buildspec of project \"{args.name}\" ({step.phase}: `{step.text}`) {problem}; tag "
                   "images with $CODEBUILD_RESOLVED_SOURCE_VERSION, never latest")
    builds = any(IMAGE_COMMAND.search(s.text) for s in all_steps)
    if builds and not any(_references(ref, commit_vars) for _, _, ref in refs):
        yield (f"buildspec of project \"{args.name}\" builds or pushes images without tagging them with "
               "the commit; use $CODEBUILD_RESOLVED_SOURCE_VERSION (or a variable derived from it) as the "
               "image tag")


def _latest_problem(verb: str, ref: str) -> Optional[str]:
    _, tag, digest = split_reference(re.sub(r"\$\{[^}]*\}", "X", ref))
    if tag is not None and tag.lower() == "latest":
        return f"uses the tag \"{ref}\""
    if tag is None and not digest and verb == "push":
        return f"pushes \"{ref}\" without a tag (Docker pushes :latest)"
    return None


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


def image_refs(text: str) -> list[tuple[str, str]]:
    """(verb, image reference) named by a docker build -t / tag / push step; buildx --push counts as push."""
    m = IMAGE_COMMAND.search(text)
    if not m:
        return []
    verb = m.group(2) or m.group(3) or "build"
    try:
        tokens = shlex.split(text[m.end():])
    except ValueError:
        tokens = text[m.end():].split()
    if verb == "build":
        pushed = m.group(1) and ("--push" in tokens or any("type=registry" in t for t in tokens))
        return [("push" if pushed else "build", ref) for ref in _option_values(tokens, ("-t", "--tag"))]
    positional = [t for t in tokens if not t.startswith("-")]
    if verb == "tag":
        return [("tag", positional[-1])] if positional else []
    if "-a" in tokens or "--all-tags" in tokens:
        return []
    return [("push", ref) for ref in positional]


def _option_values(tokens: list[str], names: tuple[str, ...]) -> list[str]:
    out = []
    for i, token in enumerate(tokens):
        if token in names and i + 1 < len(tokens):
            out.append(tokens[i + 1])
        elif any(token.startswith(n + "=") for n in names):
            out.append(token.split("=", 1)[1])
    return out


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
