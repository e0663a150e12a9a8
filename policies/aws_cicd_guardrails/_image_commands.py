"""Image references that shell commands build, tag, push or copy, tool by tool.

Verbs: "build" (a local image), "push" (sent to a registry: an untagged reference means :latest),
"tag" (a registry or local tag that is moved; an untagged destination is not judged) and "source"
(an image read, never judged for its tag). Tools: docker / podman / nerdctl / finch (build, buildx
build --push, tag, push, buildx imagetools create, manifest create / push), buildah, crane / gcrane,
skopeo, regctl, oras, `aws ecr put-image` / `batch-get-image`, kaniko's executor, pack.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from ._shell import UNKNOWN as _UNKNOWN, basename, command_words, option_values, positionals, segments


@dataclass(frozen=True)
class ImageRef:
    verb: str
    ref: str
    tool: str


_DOCKER_LIKE = {"docker", "podman", "nerdctl", "finch"}
_DOCKER_GLOBAL_WITH_VALUE = {"--config", "-c", "--context", "-H", "--host", "-l", "--log-level", "--url",
                             "--connection", "--root", "--runroot"}
_TAG_OPTIONS = ("-t", "--tag")
# Options of build / copy commands that take a value (so their value is not a positional).
_WITH_VALUE = {"-t", "--tag", "-f", "--file", "--build-arg", "--platform", "--target", "--label", "-o",
               "--output", "--cache-from", "--cache-to", "--secret", "--ssh", "--progress", "--builder",
               "--network", "--iidfile", "--metadata-file", "--annotation", "--src-creds", "--dest-creds",
               "--authfile", "--format", "--arch", "--os", "--retry-times", "--new_tag", "--platforms"}


def _registry_output(tokens: list[str]) -> bool:
    outputs = option_values(tokens, ("-o", "--output"))
    return "--push" in tokens or any("type=registry" in o or "push=true" in o for o in outputs)


def _build(tool: str, args: list[str]) -> list[ImageRef]:
    verb = "push" if _registry_output(args) else "build"
    return [ImageRef(verb, ref, tool) for ref in option_values(args, _TAG_OPTIONS)]


def _docker(tool: str, tokens: list[str]) -> list[ImageRef]:
    words_ = positionals(tokens[1:], _DOCKER_GLOBAL_WITH_VALUE)
    if not words_:
        return []
    start = tokens.index(words_[0])
    sub, rest = words_[0], tokens[start + 1:]
    if sub in ("image", "builder", "buildx", "manifest") and rest:
        group, sub, rest = sub, rest[0], rest[1:]
    else:
        group = ""
    if group == "buildx" and sub == "imagetools" and rest[:1] == ["create"]:
        args = rest[1:]
        return ([ImageRef("tag", r, tool) for r in option_values(args, _TAG_OPTIONS)]
                + [ImageRef("source", r, tool) for r in positionals(args, _WITH_VALUE)])
    if group == "manifest":
        found = positionals(rest, _WITH_VALUE)
        if sub == "create" and found:
            return [ImageRef("tag", found[0], tool)] + [ImageRef("source", r, tool) for r in found[1:]]
        if sub == "push" and found:
            return [ImageRef("push", found[0], tool)]
        return []
    if sub == "build":
        return _build(tool, rest)
    found = positionals(rest, _WITH_VALUE)
    if sub == "tag" and found:
        return [ImageRef("source", found[0], tool)] + [ImageRef("tag", r, tool) for r in found[1:]]
    if sub == "push" and found and not ({"-a", "--all-tags"} & set(rest)):
        # podman push IMAGE [DESTINATION]: the destination is what the registry receives.
        if len(found) > 1:
            return [ImageRef("source", found[0], tool), ImageRef("push", found[1], tool)]
        return [ImageRef("push", found[0], tool)]
    if sub == "commit" and len(found) > 1:
        return [ImageRef("tag", found[1], tool)]
    return []


def _buildah(tool: str, tokens: list[str]) -> list[ImageRef]:
    sub, rest = (tokens[1], tokens[2:]) if len(tokens) > 1 else ("", [])
    found = positionals(rest, _WITH_VALUE)
    if sub in ("bud", "build", "build-using-dockerfile"):
        return _build(tool, rest)
    if sub == "tag" and found:
        return [ImageRef("source", found[0], tool)] + [ImageRef("tag", r, tool) for r in found[1:]]
    if sub == "push" and found:
        return [ImageRef("push", found[-1], tool)]
    if sub == "commit" and len(found) > 1:
        return [ImageRef("tag", found[1], tool)]
    return []


def _with_tag(image: str, tag: str) -> str:
    """`image` (possibly tagged or pinned) re-tagged with `tag`."""
    name = image.split("@", 1)[0]
    head, slash, last = name.rpartition("/")
    return f"{head}{slash}{last.split(':', 1)[0]}:{tag}"


def _crane(tool: str, tokens: list[str]) -> list[ImageRef]:
    sub, rest = (tokens[1], tokens[2:]) if len(tokens) > 1 else ("", [])
    found = positionals(rest, _WITH_VALUE)
    if sub == "tag" and len(found) >= 2:
        return [ImageRef("source", found[0], tool), ImageRef("tag", _with_tag(found[0], found[1]), tool)]
    if sub in ("copy", "cp") and len(found) >= 2:
        return [ImageRef("source", found[0], tool), ImageRef("tag", found[1], tool)]
    if sub == "push" and len(found) >= 2:
        return [ImageRef("tag", found[1], tool)]
    if sub in ("append", "mutate", "rebase", "flatten"):
        return [ImageRef("tag", r, tool) for r in option_values(rest, ("-t", "--tag", "--new_tag"))]
    return []


def _skopeo(tool: str, tokens: list[str]) -> list[ImageRef]:
    if tokens[1:2] != ["copy"]:
        return []
    found = positionals(tokens[2:], _WITH_VALUE)
    if len(found) < 2 or not found[1].startswith("docker://"):
        return []  # dir:, oci:, docker-archive: destinations stay local
    return [ImageRef("source", found[0].split("://", 1)[-1], tool),
            ImageRef("tag", found[1][len("docker://"):], tool)]


def _regctl(tool: str, tokens: list[str]) -> list[ImageRef]:
    if tokens[1:2] != ["image"] or tokens[2:3] not in (["copy"], ["cp"]):
        return []
    found = positionals(tokens[3:], _WITH_VALUE)
    return [ImageRef("source", found[0], tool), ImageRef("tag", found[1], tool)] if len(found) >= 2 else []


def _oras(tool: str, tokens: list[str]) -> list[ImageRef]:
    sub, rest = (tokens[1], tokens[2:]) if len(tokens) > 1 else ("", [])
    found = positionals(rest, _WITH_VALUE)
    if sub == "tag" and len(found) >= 2:
        return [ImageRef("source", found[0], tool)] + [ImageRef("tag", _with_tag(found[0], t), tool)
                                                         for t in found[1:]]
    if sub in ("cp", "copy") and len(found) >= 2:
        return [ImageRef("source", found[0], tool), ImageRef("tag", found[1], tool)]
    if sub == "push" and found:
        return [ImageRef("tag", found[0], tool)]
    return []


def _aws(tool: str, tokens: list[str]) -> list[ImageRef]:
    if "ecr" not in tokens:
        return []
    repo = next(iter(option_values(tokens, ("--repository-name",))), "")
    if "put-image" in tokens:
        return [ImageRef("tag", f"{repo}:{t}", tool) for t in option_values(tokens, ("--image-tag",))]
    if "batch-get-image" in tokens:
        ids = option_values(tokens, ("--image-ids",))
        return [ImageRef("source", f"{repo}:{part.split('=', 1)[1]}", tool)
                for value in ids for part in value.replace(",", " ").split() if part.startswith("imageTag=")]
    return []


def _kaniko(tool: str, tokens: list[str]) -> list[ImageRef]:
    return [ImageRef("push", r, tool) for r in option_values(tokens, ("-d", "--destination"))]


def _pack(tool: str, tokens: list[str]) -> list[ImageRef]:
    if tokens[1:2] != ["build"]:
        return []
    verb = "push" if "--publish" in tokens else "build"
    found = positionals(tokens[2:], _WITH_VALUE | {"-B", "--builder", "-p", "--path", "-e", "--env"})
    return [ImageRef(verb, r, tool) for r in found[:1] + option_values(tokens, _TAG_OPTIONS)]


_TOOLS: dict[str, Callable[[str, list[str]], list[ImageRef]]] = {
    **{t: _docker for t in _DOCKER_LIKE}, "buildah": _buildah, "crane": _crane, "gcrane": _crane,
    "skopeo": _skopeo, "regctl": _regctl, "oras": _oras, "aws": _aws, "executor": _kaniko, "pack": _pack,
}
# Tools whose commands produce new images (a buildspec using them must tag with the commit).
BUILDING_TOOLS = _DOCKER_LIKE | {"buildah", "executor", "pack"}


def tool_of(segment: str) -> Optional[str]:
    tokens = command_words(segment)
    return basename(tokens[0]) if tokens and basename(tokens[0]) in _TOOLS else None


def image_refs(text: str) -> list[ImageRef]:
    """Every image reference the commands of one step build, tag, push, copy or read."""
    out: list[ImageRef] = []
    for segment in segments(text):
        tokens = command_words(segment)
        handler = _TOOLS.get(basename(tokens[0])) if tokens else None
        if handler is not None:
            out.extend(handler(basename(tokens[0]), tokens))
    return out


def _outside_variables(ref: str) -> list[int]:
    """Indexes of the characters of `ref` that are not part of a `$VAR`, `${...}` or `$(...)`."""
    out, i = [], 0
    while i < len(ref):
        if ref[i] == "$" and ref[i + 1:i + 2] in ("{", "("):
            close = "}" if ref[i + 1] == "{" else ")"
            depth, j = 0, i + 1
            while j < len(ref):
                depth += ref[j] == ref[i + 1]
                depth -= ref[j] == close
                j += 1
                if depth == 0:
                    break
            i = j
        elif ref[i] == "$":
            j = i + 1
            while j < len(ref) and (ref[j].isalnum() or ref[j] == "_"):
                j += 1
            i = max(j, i + 1)
        else:
            out.append(i)
            i += 1
    return out


def tag_of(ref: str, expand: Callable[[str], str]) -> tuple[Optional[str], bool]:
    """(the tag `ref` names, whether it is known). Only the tag is expanded (`expand` resolves shell
    variables): a repository URL from another resource is never read unless it may carry the tag."""
    plain = _outside_variables(ref)
    at = next((i for i in plain if ref[i] == "@"), len(ref))
    slash = max((i for i in plain if ref[i] == "/" and i < at), default=-1)
    colon = next((i for i in plain if ref[i] == ":" and slash < i < at), None)
    if colon is not None:
        tag = expand(ref[colon + 1:at])
        return (None, False) if _UNKNOWN in tag else (tag, True)
    last = ref[slash + 1:at]
    if "$" not in last:
        return None, True
    expanded = expand(last).split("@", 1)[0]
    if ":" in expanded.replace(_UNKNOWN, ""):
        tag = expanded.rsplit(":", 1)[1]
        return (None, False) if _UNKNOWN in tag else (tag, True)
    return None, _UNKNOWN not in expanded
