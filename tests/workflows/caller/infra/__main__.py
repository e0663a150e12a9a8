"""A repository with mutable tags: a mandatory violation under the bundled prod config."""
import pulumi
from caller_marker import REPOSITORY_NAME   # only in the program's virtualenv

pulumi.CustomResource("aws:ecr/repository:Repository", REPOSITORY_NAME,
                      {"imageTagMutability": "MUTABLE", "name": REPOSITORY_NAME})
