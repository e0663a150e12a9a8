"""aws-cicd-platform: a CI/CD platform across tooling, staging and prod AWS accounts."""
import pulumi

from components.config import load
from components.platform import Platform, PlatformArgs

# Validates the whole stack config first: a bad value stops here, before any resource exists.
config = load()
platform = Platform("platform", PlatformArgs(config=config))

pulumi.export("pipelines", {name: {"name": p.pipeline_name, "console_url": p.console_url}
                            for name, p in platform.pipelines.items()})
pulumi.export("repository_urls", platform.repositories)
pulumi.export("listener_urls", platform.listeners)
pulumi.export("deploy_role_arns", platform.deploy_role_arns)
pulumi.export("github_actions_role_arns", platform.github_role_arns)
