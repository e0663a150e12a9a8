"""The stable JSON report of docs/design.md §5 (key order as Report.to_json() defines it).

A multi-stack run: {"stacks": [<report of each stack that ran, in dependency order>], "summary": {...}}
(MultiReport.to_json()); a run of one --stack keeps the single report.
"""
from __future__ import annotations

import json

from preflight.model import MultiReport, Report


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_multi(multi: MultiReport) -> str:
    return json.dumps(multi.to_json(), indent=2, ensure_ascii=False) + "\n"
