"""Argument checks shared by the workload components (run before anything is registered)."""
from __future__ import annotations

from typing import Optional

from components.workload_names import check_name_part

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)


def check_common(environment: str, prefix: str, service: Optional[str] = None) -> None:
    check_name_part("environment", environment)
    check_name_part("prefix", prefix)
    if service is not None:
        check_name_part("service", service)


def check_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"log_retention_days must be one of {LOG_RETENTION_DAYS}, got {days}")
    return days
