"""aws-cicd-platform: a CI/CD platform across tooling, staging and prod AWS accounts.

The stack's `scope` says what it holds: the whole platform (monolith), the foundation the service stacks read,
or one service (components/config_scope.py).
"""
import pulumi

from components.config import load
from components.platform import Platform, PlatformArgs

# Validates the whole stack config first: a bad value stops here, before any resource exists.
config = load()
platform = Platform("platform", PlatformArgs(config=config))

for name, value in platform.exports.items():
    pulumi.export(name, value)
