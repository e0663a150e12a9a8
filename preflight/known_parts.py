"""Known parts of unknown values: what a first preview can still judge.

In a preview, `repo.repository_url.apply(lambda u: f"{u}:latest")` is unknown as a whole, so a rule
sees no image and lists itself as not evaluated, although the part that is wrong (`:latest`) is known.
The CLI path stays as it is (the pack is not changed, it never sees a made-up value as a preview's);
preflight adds a judgement of its own:

1. The preview run gives the verdict and the (policy, resource) pairs a rule could not evaluate.
2. The same program runs twice more as in `--mode up`, with provider-computed values fabricated
   from what is known (names, accounts, regions) and with everything AWS makes up (uuids, random id
   parts) drawn from a different salt in each run (preflight/fabricate.py SALT).
3. A finding joins the preview's report only where the preview could not evaluate that policy on
   that resource, and both runs report it: it holds whichever of those made-up values AWS returns,
   so it follows from the known parts. Anything else stays "not evaluated". (The second run is
   needed only when the first reports something on such a pair: preflight/known_parts_runs.py.)

A finding cannot appear here that a real `up` of the same inputs would not give, except through a
value preflight predicts from known inputs (an ECR repository URL from account, region and name)
which AWS computes the same way.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Iterable, Optional, Sequence

from preflight.protocol import Diagnostic

SALTS = ("", "known-parts-b")
NOTE = " [judged in preview on the known parts of values computed at apply]"
# pulumi_policy policy.py: how the SDK reports a policy that read an unknown value in a preview.
UNKNOWN_IN_PREVIEW = re.compile(r"^can't run policy '[^']+' from policy pack '[^']+' during preview: (.*)$", re.S)


def unevaluated_pairs(diagnostics: Iterable[Diagnostic]) -> set[tuple[str, Optional[str]]]:
    """(policy, urn) pairs a rule gave no verdict on because an input was unknown."""
    return {(d.policy, d.urn or None) for d in diagnostics if UNKNOWN_IN_PREVIEW.match(d.message)}


def judged(unevaluated: set[tuple[str, Optional[str]]], runs: Sequence[Sequence[Diagnostic]]) -> list[Diagnostic]:
    """The diagnostics of the first run on an unevaluated pair that every run reports, marked as such."""
    if not runs or not unevaluated:
        return []
    reported = [{(d.policy, d.urn or None) for d in run if not UNKNOWN_IN_PREVIEW.match(d.message)}
                for run in runs]
    held = set.intersection(*reported) & unevaluated
    out, seen = [], set()
    for d in runs[0]:
        key = (d.policy, d.urn or None, d.message)
        if (d.policy, d.urn or None) in held and key not in seen:
            seen.add(key)
            out.append(dataclasses.replace(d, message=d.message + NOTE))
    return out
