"""IAM permission documents that leave iam:PassRole or write actions unscoped."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

PASS_ROLE, WRITES = "iam-policy-passrole-scoped", "iam-policy-no-wildcard-resource-for-writes"
_ROLE = '''\
role = aws.iam.Role("deployer", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]}),
    opts=in_prod)
'''
_TASK_ROLE = 'task_role_arn = "arn:aws:iam::333333333333:role/orders-task"\n'

VARIANTS = [
    Variant(PASS_ROLE, VIOLATES, "policy-document-invoke-on-star", resource="deployer-pass", program=_ROLE + '''\
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["iam:PassRole", "ecs:UpdateService"], resources=["*"])])
aws.iam.RolePolicy("deployer-pass", role=role.id, policy=doc.json, opts=in_prod)
'''),
    Variant(PASS_ROLE, VIOLATES, "prefix-wildcard-without-service-condition", resource="deployer-pass",
            program=_ROLE + _TASK_ROLE + '''\
aws.iam.RolePolicy("deployer-pass", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "PassTaskRole", "Effect": "Allow", "Action": "iam:Pass*", "Resource": task_role_arn}]}), opts=in_prod)
'''),
    Variant(PASS_ROLE, VIOLATES, "iam-star-on-account-roles", resource="deploy-iam", program=_TASK_ROLE + '''\
aws.iam.Policy("deploy-iam", policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:*"], "Resource": "arn:aws:iam::333333333333:role/*"}]}), opts=in_prod)
'''),
    Variant(PASS_ROLE, VIOLATES, "not-action-grants-it", resource="deployer", program='''\
aws.iam.Role("deployer", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]}),
    inline_policies=[aws.iam.RoleInlinePolicyArgs(name="not-users", policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["iam:*User*", "iam:*Group*"],
                                               "Resource": "*"}]}))], opts=in_prod)
'''),
    Variant(PASS_ROLE, VIOLATES, "service-condition-is-a-wildcard", resource="deployer-pass",
            program=_ROLE + _TASK_ROLE + '''\
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["iam:PassRole"], resources=[task_role_arn],
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
        test="StringLike", variable="iam:PassedToService", values=["*.amazonaws.com"])])])
aws.iam.RolePolicy("deployer-pass", role=role.id, policy=doc.json, opts=in_prod)
'''),
    Variant(PASS_ROLE, VIOLATES, "negated-service-condition", resource="deployer-pass",
            program=_ROLE + _TASK_ROLE + '''\
aws.iam.RolePolicy("deployer-pass", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": task_role_arn,
     "Condition": {"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}]}), opts=in_prod)
'''),
    Variant(PASS_ROLE, NEAR_MISS, "named-roles-to-ecs-tasks", program=_ROLE + '''\
roles = {name: f"arn:aws:iam::333333333333:role/orders-{name}" for name in ("task", "execution")}
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["iam:PassRole"], resources=list(roles.values()),
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
        test="StringEquals", variable="iam:PassedToService", values=["ecs-tasks.amazonaws.com"])])])
aws.iam.RolePolicy("deployer-pass", role=role.id, policy=doc.json, opts=in_prod)
'''),
    Variant(PASS_ROLE, NEAR_MISS, "not-action-excludes-it", program=_ROLE + '''\
aws.iam.RolePolicy("deployer-read", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
     "Resource": "arn:aws:s3:::acme-artifacts/*"},
    {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}), opts=in_prod)
'''),

    Variant(WRITES, VIOLATES, "policy-document-invoke", resource="uploader", program='''\
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["s3:PutObject", "s3:GetObject"], resources=["*"])])
aws.iam.Policy("uploader", policy=doc.json, opts=in_prod)
'''),
    Variant(WRITES, VIOLATES, "lambda-deployer-inline", resource="deployer", program='''\
aws.iam.Role("deployer", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]}),
    inline_policies=[{"name": "deploy", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["lambda:UpdateFunctionCode", "lambda:UpdateAlias", "lambda:GetFunction"],
        "Resource": "*"}]})}], opts=in_prod)
'''),
    Variant(WRITES, VIOLATES, "star-next-to-an-arn", resource="deployer-data", program=_ROLE + '''\
table = "arn:aws:dynamodb:us-east-1:333333333333:table/orders"
aws.iam.RolePolicy("deployer-data", role=role.id, policy=pulumi.Output.json_dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                   "Resource": [table, "*"]}]}), opts=in_prod)
'''),
    Variant(WRITES, VIOLATES, "not-resource", resource="deployer-queues", program=_ROLE + '''\
aws.iam.RolePolicy("deployer-queues", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:SendMessage",
     "NotResource": "arn:aws:sqs:us-east-1:333333333333:payments"}]}), opts=in_prod)
'''),
    Variant(WRITES, VIOLATES, "loop-over-services", resource="deployer-ops", program=_ROLE + '''\
needs = {"ecs": ["UpdateService", "DescribeServices"], "ssm": ["PutParameter"]}
aws.iam.RolePolicy("deployer-ops", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": [f"{svc}:{a}" for a in acts], "Resource": "*"} for svc, acts in needs.items()
]}), opts=in_prod)
'''),
    Variant(WRITES, NEAR_MISS, "unscopable-writes-and-reads-on-star", program=_ROLE + '''\
doc = aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(sid="Unscopable", resources=["*"], actions=[
        "ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "cloudwatch:PutMetricData",
        "xray:PutTraceSegments", "ec2:Describe*", "s3:GetObject"]),
    aws.iam.GetPolicyDocumentStatementArgs(sid="Push", actions=["ecr:PutImage", "ecr:UploadLayerPart"],
        resources=["arn:aws:ecr:us-east-1:111111111111:repository/orders"])])
aws.iam.RolePolicy("deployer-build", role=role.id, policy=doc.json, opts=in_prod)
'''),
]
