"""Report formats: `render(report, fmt)` turns a preflight Report (one stack) or MultiReport (several)
into the text of one format."""
from __future__ import annotations

from typing import Callable, Union

from preflight.model import MultiReport, Report
from preflight.reports import github, json_, junit, markdown, sarif, text

FORMATS = ("text", "json", "sarif", "markdown", "junit", "github")

_RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
    "junit": junit.render,
    "github": github.render,
}
_MULTI: dict[str, Callable[[MultiReport], str]] = {
    "text": text.render_multi,
    "json": json_.render_multi,
    "sarif": sarif.render_multi,
    "markdown": markdown.render_multi,
    "junit": junit.render_multi,
    "github": github.render_multi,
}


def render(report: Union[Report, MultiReport], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if isinstance(report, MultiReport):
        return _MULTI[fmt](report)
    return _RENDERERS[fmt](report)
