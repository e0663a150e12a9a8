"""The rule catalogue (docs/catalogue.md) parsed into rows: the contract the pack is linted against."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES_MD = ROOT / "docs" / "catalogue.md"
SEVERITY = {"C": "critical", "H": "high", "M": "medium", "L": "low"}
_PARENTHESES = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class Row:
    section: str
    name: str
    catches: str
    severity: str
    anchors: tuple[str, ...]


def load(path: Path = RULES_MD) -> list[Row]:
    if not path.is_file():
        raise FileNotFoundError(f"rule catalogue not found at {path}")
    rows: list[Row] = []
    section = ""
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] in ("rule", "") or set(cells[0]) <= {"-", " "}:
            continue
        name, catches, sev, anchor = cells
        rows.append(Row(section, name, catches, SEVERITY[sev], _anchors(anchor, rows)))
    return rows


def _anchors(cell: str, previous: list[Row]) -> tuple[str, ...]:
    """`SH ECR.3, CT.ECR.PR.1` -> ids; `—` (no public rule set) -> (); `Config (same)` -> the row above's."""
    if cell.startswith("—"):
        return ()
    if "(same)" in cell and previous:
        family = cell.split()[0]
        return tuple(a for a in previous[-1].anchors if a.startswith(family + " "))
    cell = _PARENTHESES.sub("", cell)
    return tuple(a.strip() for a in cell.split(",") if a.strip())


def normalise_anchors(anchors) -> set[str]:
    """Anchor ids compared leniently: `Guard F38/F39` equals `Guard F38` + `Guard F39`; spacing ignored."""
    out = set()
    for a in anchors:
        a = " ".join(a.split())
        head, _, ids = a.rpartition(" ")
        for one in ids.split("/"):
            out.add(f"{head} {one}".strip())
    return out
