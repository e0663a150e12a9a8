"""AWS-managed policies attached to roles, users and groups, as programs attach them."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

RULE = "iam-role-no-privileged-managed-policies"
_ROLE = '''\
role = aws.iam.Role("ops", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"AWS": "arn:aws:iam::111111111111:role/pipeline"}}]}), opts=in_prod)
'''

VARIANTS = [
    Variant(RULE, VIOLATES, "attachment-sdk-enum", resource="ops-admin", program=_ROLE + '''\
aws.iam.RolePolicyAttachment("ops-admin", role=role.name,
    policy_arn=aws.iam.ManagedPolicy.ADMINISTRATOR_ACCESS, opts=in_prod)
'''),
    Variant(RULE, VIOLATES, "role-managed-policy-arns", resource="deployer", program='''\
aws.iam.Role("deployer", managed_policy_arns=["arn:aws:iam::aws:policy/PowerUserAccess"],
    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]}), opts=in_prod)
'''),
    Variant(RULE, VIOLATES, "arn-from-partition-invoke", resource="ops-iam", program=_ROLE + '''\
partition = aws.get_partition(opts=pulumi.InvokeOptions(provider=prod)).partition
aws.iam.RolePolicyAttachment("ops-iam", role=role.name,
    policy_arn=f"arn:{partition}:iam::aws:policy/IAMFullAccess", opts=in_prod)
'''),
    Variant(RULE, VIOLATES, "loop-over-config", resource="ops-poweruseraccess", program=_ROLE + '''\
for policy in ["ReadOnlyAccess", "PowerUserAccess"]:
    aws.iam.RolePolicyAttachment(f"ops-{policy.lower()}", role=role.name,
        policy_arn=pulumi.Output.concat("arn:aws:iam::aws:policy/", policy), opts=in_prod)
'''),
    Variant(RULE, VIOLATES, "policy-attachment-to-many", resource="admins", program=_ROLE + '''\
group = aws.iam.Group("breakglass", opts=in_prod)
aws.iam.PolicyAttachment("admins", roles=[role.name], groups=[group.name],
    policy_arn=aws.iam.ManagedPolicy.ADMINISTRATOR_ACCESS, opts=in_prod)
'''),
    Variant(RULE, VIOLATES, "exclusive-attachments", resource="ops-exclusive", program=_ROLE + '''\
aws.iam.RolePolicyAttachmentsExclusive("ops-exclusive", role_name=role.name, policy_arns=[
    "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"], opts=in_prod)
'''),
    Variant(RULE, VIOLATES, "group-attachment", resource="breakglass-admin", program='''\
group = aws.iam.Group("breakglass", opts=in_prod)
aws.iam.GroupPolicyAttachment("breakglass-admin", group=group.name,
    policy_arn="arn:aws:iam::aws:policy/AdministratorAccess", opts=in_prod)
'''),
    # Near-misses: AWS-managed policies that are not administrator-class, and a customer policy.
    Variant(RULE, NEAR_MISS, "read-only-and-service-role", program=_ROLE + '''\
for i, arn in enumerate([aws.iam.ManagedPolicy.READ_ONLY_ACCESS,
                         "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS",
                         "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]):
    aws.iam.RolePolicyAttachment(f"ops-{i}", role=role.name, policy_arn=arn, opts=in_prod)
'''),
    Variant(RULE, NEAR_MISS, "customer-policy-by-account-arn", program=_ROLE + '''\
aws.iam.RolePolicyAttachment("ops-deploy", role=role.name,
    policy_arn="arn:aws:iam::333333333333:policy/DeployAccess", opts=in_prod)
'''),
]
