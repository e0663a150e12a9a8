"""Prints, per rule, how many realistic variants tests/policies/corpus holds: violating and near-miss.
`--missing` prints only the rules short of 3 violating + 1 near-miss."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "policies")]  # `tests`, and the rules library in the pack directory

from aws_cicd_guardrails import RULES  # noqa: E402
from tests.policies.corpus import NEAR_MISS, VIOLATES, all_variants  # noqa: E402

MIN_VIOLATING, MIN_NEAR_MISSES = 3, 1


def counts() -> dict[str, tuple[int, int]]:
    c = Counter((v.rule, v.kind) for v in all_variants())
    return {r.name: (c[(r.name, VIOLATES)], c[(r.name, NEAR_MISS)]) for r in RULES}


def main(argv: list[str]) -> int:
    rows = counts()
    short = {k: v for k, v in rows.items() if v[0] < MIN_VIOLATING or v[1] < MIN_NEAR_MISSES}
    print("| rule | violating | near-miss |\n| --- | --- | --- |")
    for name, (bad, near) in sorted(short.items() if "--missing" in argv else rows.items()):
        print(f"| {name} | {bad} | {near} |")
    total = [sum(v[i] for v in rows.values()) for i in range(2)]
    print(f"\n{len(rows)} rules, {total[0]} violating variants, {total[1]} near-misses; "
          f"{len(short)} rules short of {MIN_VIOLATING} + {MIN_NEAR_MISSES}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
