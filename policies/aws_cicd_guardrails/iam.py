"""IAM rules: attached AWS-managed policies here; trust / permission documents in iam_trust / iam_policy."""
from __future__ import annotations

import re

from . import iam_policy, iam_trust  # noqa: F401  (registrations)
from ._common import get, str_list
from ._registry import resource_rule

PRIVILEGED = re.compile(
    r"^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$")
# Resource type -> the wire property holding the attached policy ARN(s).
ATTACHMENTS = {
    "aws:iam/role:Role": "managedPolicyArns",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
}


@resource_rule(
    "iam-role-no-privileged-managed-policies",
    types=list(ATTACHMENTS),
    description="AdministratorAccess, PowerUserAccess and IAMFullAccess must not be attached.",
    severity="high",
    remediation="Detach the AWS-managed policy and attach a customer-managed policy with the actions and "
                "resources the principal needs.",
    topic="least-privilege",
    anchors=["CKV_AWS_274", "nag IAM4"],
)
def iam_role_no_privileged_managed_policies(args, cfg):
    prop = ATTACHMENTS.get(args.resource_type, "policyArn")
    for arn in str_list(get(args.props, prop)):
        if PRIVILEGED.match(arn):
            yield (f"\"{args.name}\" attaches {arn.rsplit('/', 1)[-1]} ({arn}); attach a least-privilege "
                   "customer-managed policy instead")
