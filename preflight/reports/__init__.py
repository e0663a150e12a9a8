"""Report formats: `render(report, fmt)` turns a preflight Report into the text of one format."""
from __future__ import annotations

from typing import Callable

from preflight.model import Report
from preflight.reports import json_, junit, markdown, sarif, text

FORMATS = ("text", "json", "sarif", "markdown", "junit")

_RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
    "junit": junit.render,
}


def render(report: Report, fmt: str) -> str:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}") from None
    return renderer(report)
