"""The aws-cicd-guardrails pack: every rule of the library beside this file, mandatory unless the
stack's config (config/<stack>.json) says otherwise."""
import aws_cicd_guardrails

aws_cicd_guardrails.policy_pack("aws-cicd-guardrails")
