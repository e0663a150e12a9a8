"""Time limits of a run: nothing preflight waits for may wait forever."""
from __future__ import annotations

import math

PROGRAM_TIMEOUT = 900.0      # the program, from start to its last registration
PACK_START_TIMEOUT = 30.0    # a pack process, from start to answering on its port
ANALYZE_TIMEOUT = 60.0       # one Analyze or AnalyzeStack call
SIGNAL_GRACE = 5.0           # after SIGINT/SIGTERM, everything started is gone within this


class LimitError(ValueError):
    pass


def seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse type)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise LimitError(f"{text!r} is not a number of seconds") from None
    if math.isnan(value) or math.isinf(value) or value <= 0:
        raise LimitError(f"{text!r} must be a positive, finite number of seconds")
    return value
