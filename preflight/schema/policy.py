"""provider-input-schema as a policy of the report: its metadata, and its findings as violations."""
from __future__ import annotations

from typing import Iterable

from preflight.model import PolicyMeta, RecordedResource, Violation

POLICY = "provider-input-schema"
SEVERITY = "high"
DESCRIPTION = ("Every resource input matches what the provider accepts: known keys, the right kinds, "
               "required keys present, values inside the provider's closed sets (the provider's Check "
               "refuses the rest, so `pulumi preview` fails on them).")
REMEDIATION = ("At the program line shown, fix the key path the message names: the key's spelling (the "
               "provider's names; snake_case in Python), the value's kind or value, or the missing key.")

META = PolicyMeta(name=POLICY, description=DESCRIPTION, severity=SEVERITY, enforcement="mandatory",
                  remediation=REMEDIATION, tags=["preflight", "provider-schema"], kind="resource")


def violations(findings: Iterable[dict[str, str]], resources: dict[str, RecordedResource]) -> list[Violation]:
    out = []
    for finding in findings:
        resource = resources.get(finding["urn"])
        out.append(Violation(
            policy=POLICY, enforcement="mandatory", severity=SEVERITY, urn=finding["urn"],
            resource_name=resource.name if resource else finding["urn"].rsplit("::", 1)[-1],
            resource_type=resource.type if resource else finding["urn"].split("::")[2].split("$")[-1],
            message=f"{finding['path']}: {finding['message']}", description=DESCRIPTION,
            remediation=REMEDIATION))
    return out
