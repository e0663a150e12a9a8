"""AWS Lambda managed runtimes: the date each one is (or will be) deprecated and what replaces it.

Source: the "Supported runtimes" and "Deprecated runtimes" tables of
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html as of August 2026 (deprecation =
end of security patches; blocks on create/update follow months later). Override or extend with the
policy config `deprecatedRuntimes` ({"python3.11": "2027-06-30"}) when AWS moves a date.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping, Optional

TABLE_AS_OF = "2026-08"

# Runtime -> deprecation date: past dates are deprecated runtimes, future ones are AWS projections.
DEPRECATION: dict[str, str] = {
    "nodejs": "2016-08-30", "nodejs4.3": "2020-03-05", "nodejs4.3-edge": "2020-03-05",
    "nodejs6.10": "2019-08-12", "nodejs8.10": "2020-03-06", "nodejs10.x": "2021-07-30",
    "nodejs12.x": "2023-03-31", "nodejs14.x": "2023-12-04", "nodejs16.x": "2024-06-12",
    "nodejs18.x": "2025-09-01", "nodejs20.x": "2026-04-30", "nodejs22.x": "2027-04-30",
    "nodejs24.x": "2028-04-30",
    "python2.7": "2021-07-15", "python3.6": "2022-07-18", "python3.7": "2023-12-04",
    "python3.8": "2024-10-14", "python3.9": "2025-12-15", "python3.10": "2026-10-31",
    "python3.11": "2027-06-30", "python3.12": "2028-10-31", "python3.13": "2029-06-30",
    "python3.14": "2029-06-30",
    "java8": "2024-01-08", "java8.al2": "2027-06-30", "java11": "2027-06-30", "java17": "2027-06-30",
    "java21": "2029-06-30", "java25": "2029-06-30",
    "dotnetcore1.0": "2019-06-27", "dotnetcore2.0": "2019-05-30", "dotnetcore2.1": "2022-01-05",
    "dotnetcore3.1": "2023-04-03", "dotnet5.0": "2022-05-10", "dotnet6": "2024-12-20",
    "dotnet7": "2024-05-14", "dotnet8": "2026-11-10", "dotnet9": "2026-11-10", "dotnet10": "2028-11-14",
    "ruby2.5": "2021-07-30", "ruby2.7": "2023-12-07", "ruby3.2": "2026-03-31", "ruby3.3": "2027-03-31",
    "ruby3.4": "2028-03-31", "ruby4.0": "2029-03-31",
    "go1.x": "2024-01-08",
    "provided": "2024-01-08", "provided.al2": "2026-07-31", "provided.al2023": "2029-06-30",
}

SUCCESSOR_BY_FAMILY = {"nodejs": "nodejs24.x", "python": "python3.14", "java": "java25", "dotnet": "dotnet10",
                       "ruby": "ruby4.0", "go": "provided.al2023", "provided": "provided.al2023"}
_FAMILY = re.compile(r"^(nodejs|python|java|dotnet|ruby|go|provided)")


def deprecation_date(runtime: str, overrides: Any = None) -> Optional[dt.date]:
    """The deprecation date of `runtime` (config overrides first), or None when unknown."""
    raw = overrides.get(runtime) if isinstance(overrides, Mapping) else None
    if not isinstance(raw, str):
        raw = DEPRECATION.get(runtime)
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def successor(runtime: str) -> str:
    m = _FAMILY.match(runtime)
    return SUCCESSOR_BY_FAMILY[m.group(1)] if m else "a supported runtime"
