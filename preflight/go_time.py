"""Unquoted timestamps in a stack file, as the CLI hands them to a program.

yaml.v3 (resolve.go parseTimestamp) turns `2024-01-31` into a Go time.Time and the CLI's config object
(resource/config/object.go unmarshalObject) stores `time.Time.String()`, so the program reads
`2024-01-31 00:00:00 +0000 UTC`, not `2024-01-31`.
"""
from __future__ import annotations

import calendar
import re
from typing import Optional

# time.Parse layouts yaml.v3 tries: "2006-1-2T15:4:5.999999999Z07:00" (T or t), "2006-1-2 15:4:5.999999999"
# and "2006-1-2"; fields other than the year take one or two digits.
_STAMP = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?:(?P<sep>[Tt ])(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{1,2}):(?P<s>[0-9]{1,2})(?:[.,](?P<frac>[0-9]+))?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?)?")


class GoTime(str):
    """A str holding Go's time.String(); `rfc3339` is what encoding/json would write for it."""

    rfc3339: str


def parse_timestamp(text: str) -> Optional[GoTime]:
    m = _STAMP.fullmatch(text)
    if m is None:
        return None
    if m["sep"] == " " and m["zone"] or m["sep"] in ("T", "t") and not m["zone"]:
        return None                            # no layout has a zone after a space, or none after a T
    year, month, day = int(m["y"]), int(m["mo"]), int(m["d"])
    hour, minute, second = (int(m[k]) if m[k] else 0 for k in ("h", "mi", "s"))
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
            and hour < 24 and minute < 60 and second < 60):
        return None
    frac = (m["frac"] or "")[:9].rstrip("0")
    zone = m["zone"] or "Z"
    offset = "+0000" if zone in ("Z", "+00:00", "-00:00") else zone.replace(":", "")
    # A zero offset is shown as UTC (the CLI runs with Local = UTC in CI); any other offset gets Go's
    # fabricated zone, named after the offset itself.
    name = "UTC" if offset == "+0000" else offset
    clock = f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}" + (f".{frac}" if frac else "")
    stamp = GoTime(f"{clock} {offset} {name}")
    stamp.rfc3339 = clock.replace(" ", "T") + ("Z" if offset == "+0000" else zone)
    return stamp
