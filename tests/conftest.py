import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import os

# A pack or program without a virtualenv runs on the python found on PATH, as under the CLI
# (toolchain.CommandPath honours PULUMI_PYTHON_CMD): here, the test interpreter.
os.environ.setdefault("PULUMI_PYTHON_CMD", sys.executable)
