"""Prints, per rule, how many realistic variants tests/policies/corpus holds: violating, near-miss, and how
many of the violating ones a preview can only list as not evaluated. `--missing` prints only the rules short
of 3 violating + 1 near-miss."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policies.rules import RULES  # noqa: E402
from tests.policies.corpus import NEAR_MISS, VIOLATES, all_variants  # noqa: E402

MIN_VIOLATING, MIN_NEAR_MISSES = 3, 1


def counts() -> dict[str, tuple[int, int, int]]:
    c = Counter((v.rule, v.kind) for v in all_variants())
    unknown = Counter(v.rule for v in all_variants() if v.kind == VIOLATES and v.preview_unknown)
    return {r.name: (c[(r.name, VIOLATES)], c[(r.name, NEAR_MISS)], unknown[r.name]) for r in RULES}


def main(argv: list[str]) -> int:
    rows = counts()
    short = {k: v for k, v in rows.items() if v[0] < MIN_VIOLATING or v[1] < MIN_NEAR_MISSES}
    print("| rule | violating | near-miss | preview: not evaluated |\n| --- | --- | --- | --- |")
    for name, (bad, near, unknown) in sorted(short.items() if "--missing" in argv else rows.items()):
        print(f"| {name} | {bad} | {near} | {unknown} |")
    total = [sum(v[i] for v in rows.values()) for i in range(3)]
    print(f"\n{len(rows)} rules, {total[0]} violating variants ({total[2]} not evaluated in preview), "
          f"{total[1]} near-misses; {len(short)} rules short of {MIN_VIOLATING} + {MIN_NEAR_MISSES}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
