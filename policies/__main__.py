from pulumi_policy import EnforcementLevel, PolicyPack

from rules import POLICIES

PolicyPack("aws-cicd-guardrails", POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
