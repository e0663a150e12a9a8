"""The stable JSON report of docs/design.md §5 (key order as Report.to_json() defines it)."""
from __future__ import annotations

import json

from preflight.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
