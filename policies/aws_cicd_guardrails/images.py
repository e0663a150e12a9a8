"""Container image references (`registry/repo:tag@sha256:...`) as ECS and Lambda rules see them."""
from __future__ import annotations

import functools
import re
from typing import Any, Iterable, Optional

from ._common import str_list

DEFAULT_ALLOWED_REGISTRIES = [
    r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/",
    r"^public\.ecr\.aws/",
]
ALLOWED_REGISTRIES_CONFIG = {
    "type": "array", "items": {"type": "string", "format": "regex"}, "default": DEFAULT_ALLOWED_REGISTRIES,
    "description": ("Regular expressions over the full image reference; an image must match one "
                    "(default: ECR)."),
}
DOCKER_HUB = "docker.io"


def split_reference(image: str) -> tuple[str, Optional[str], Optional[str]]:
    """(name, tag or None, digest or None) of an image reference."""
    name, _, digest = image.partition("@")
    tag = None
    # A colon before the last "/" is a registry port (localhost:5000/app), not a tag.
    head, slash, last = name.rpartition("/")
    if ":" in last:
        last, tag = last.split(":", 1)
        name = f"{head}{slash}{last}"
    return name, tag, digest or None


def unpinned_reason(image: Any) -> Optional[str]:
    """Why an image reference is not pinned (no tag, or `latest`), or None for a digest / fixed tag."""
    if not isinstance(image, str) or not image.strip():
        return None
    _, tag, digest = split_reference(image.strip())
    if digest and digest.startswith("sha256:"):
        return None
    if tag is None:
        return "has no tag (it resolves to :latest)"
    if tag.lower() == "latest":
        return "uses the mutable :latest tag"
    return None


def registry_of(image: str) -> str:
    """The registry host of an image; Docker Hub when the first path part is not a host."""
    first, slash, _ = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first
    return DOCKER_HUB


def compiled_patterns(patterns: Any, key: str) -> tuple[re.Pattern, ...]:
    """The regexes of config list `key`; a pattern that does not compile is a config error."""
    return _compile(tuple(str_list(patterns)), key)


@functools.lru_cache(maxsize=64)
def _compile(patterns: tuple[str, ...], key: str) -> tuple[re.Pattern, ...]:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
        except re.error as e:
            raise ValueError(f"policy pack config: {key} {p!r} is not a valid regular expression: "
                             f"{e}") from None
    return tuple(out)


def registry_allowed(image: str, patterns: Iterable[re.Pattern]) -> bool:
    return any(rx.search(image) for rx in patterns)
