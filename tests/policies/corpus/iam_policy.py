"""IAM permission documents granting everything or every action of a service."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

ADMIN, SERVICE_WILDCARD = "iam-policy-no-admin", "iam-policy-no-service-wildcard"
_ROLE = '''\
role = aws.iam.Role("app", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}),
    opts=in_prod)
'''
_BUCKET = '''\
bucket_name = "acme-artifacts"
bucket = aws.s3.BucketV2("artifacts", bucket=bucket_name, opts=in_prod)
'''

VARIANTS = [
    Variant(ADMIN, VIOLATES, "policy-document-invoke", resource="break-glass", program='''\
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    sid="BreakGlass", actions=["*"], resources=["*"])])
aws.iam.Policy("break-glass", policy=doc.json, opts=in_prod)
'''),
    Variant(ADMIN, VIOLATES, "role-inline-policy", resource="app", program='''\
aws.iam.Role("app", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}),
    inline_policies=[aws.iam.RoleInlinePolicyArgs(name="everything", policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}))],
    opts=in_prod)
'''),
    Variant(ADMIN, VIOLATES, "role-policy-json-dumps-single-statement", resource="app-all", program=_ROLE + '''\
aws.iam.RolePolicy("app-all", role=role.id, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*:*", "Resource": "*"}}), opts=in_prod)
'''),
    Variant(ADMIN, VIOLATES, "second-statement-built-from-bucket-name", resource="app-data", program=_ROLE + _BUCKET
            + '''\
aws.iam.RolePolicy("app-data", role=role.id, policy=bucket.bucket.apply(lambda name: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{name}/*"},
        {"Sid": "Debug", "Effect": "Allow", "Action": "*", "Resource": ["*", f"arn:aws:s3:::{name}"]}]})),
    opts=in_prod)
'''),
    Variant(ADMIN, VIOLATES, "user-policy-statement-dicts", resource="ci-bot", program='''\
user = aws.iam.User("ci", opts=in_prod)
doc = aws.iam.get_policy_document(statements=[{"actions": ["*"], "resources": ["*"], "effect": "Allow"}])
aws.iam.UserPolicy("ci-bot", user=user.name, policy=doc.json, opts=in_prod)
'''),
    Variant(ADMIN, VIOLATES, "customer-policy-attached", resource="ops-everything", program=_ROLE + '''\
policy = aws.iam.Policy("ops-everything", description="temporary", policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": "*"}]}), opts=in_prod)
aws.iam.RolePolicyAttachment("app-everything", role=role.name, policy_arn=policy.arn, opts=in_prod)
'''),
    Variant(ADMIN, NEAR_MISS, "deny-everything-guard", program=_ROLE + '''\
aws.iam.RolePolicy("app-guard", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "arn:aws:sqs:us-east-1:333333333333:orders"},
    {"Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}]}), opts=in_prod)
'''),
    Variant(ADMIN, NEAR_MISS, "everything-on-one-bucket", program=_ROLE + '''\
aws.iam.RolePolicy("app-bucket", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-scratch", "arn:aws:s3:::acme-scratch/*"]}
]}), opts=in_prod)
'''),

    Variant(SERVICE_WILDCARD, VIOLATES, "policy-document-invoke", resource="artifacts-rw", program=_BUCKET + '''\
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["s3:*"], resources=[f"arn:aws:s3:::{bucket_name}/*"])])
aws.iam.Policy("artifacts-rw", policy=doc.json, opts=in_prod)
'''),
    # The invoke's arguments depend on the bucket: like the engine, preview does not run it.
    Variant(SERVICE_WILDCARD, VIOLATES, "policy-document-output-from-arn", resource="artifacts-rw",
            program=_BUCKET + '''\
doc = aws.iam.get_policy_document_output(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["s3:*"], resources=[bucket.arn.apply(lambda arn: f"{arn}/*")])])
aws.iam.Policy("artifacts-rw", policy=doc.json, opts=in_prod)
'''),
    Variant(SERVICE_WILDCARD, VIOLATES, "mixed-with-specific-actions", resource="app", program='''\
aws.iam.Role("app", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}),
    inline_policies=[{"name": "runtime", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "ECR:*"],
        "Resource": "arn:aws:ecr:us-east-1:111111111111:repository/orders"}]})}],
    opts=in_prod)
'''),
    Variant(SERVICE_WILDCARD, VIOLATES, "loop-over-services", resource="app-data", program=_ROLE + '''\
tables = {"dynamodb": "arn:aws:dynamodb:us-east-1:333333333333:table/orders",
          "sqs": "arn:aws:sqs:us-east-1:333333333333:orders"}
aws.iam.RolePolicy("app-data", role=role.id, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": svc.upper(), "Effect": "Allow", "Action": f"{svc}:*", "Resource": arn} for svc, arn in tables.items()
]}), opts=in_prod)
'''),
    Variant(SERVICE_WILDCARD, VIOLATES, "every-action-on-one-resource", resource="ops", program='''\
group = aws.iam.Group("operators", opts=in_prod)
aws.iam.GroupPolicy("ops", group=group.name, policy=pulumi.Output.json_dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::acme-scratch/*"}]}), opts=in_prod)
'''),
    Variant(SERVICE_WILDCARD, NEAR_MISS, "prefix-wildcards-and-deny-all", program=_ROLE + _BUCKET + '''\
doc = aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(actions=["s3:Get*", "s3:List*"],
        resources=[f"arn:aws:s3:::{bucket_name}", f"arn:aws:s3:::{bucket_name}/*"]),
    aws.iam.GetPolicyDocumentStatementArgs(effect="Deny", actions=["s3:*"], resources=["*"],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
            test="Bool", variable="aws:SecureTransport", values=["false"])])])
aws.iam.RolePolicy("app-read", role=role.id, policy=doc.json, opts=in_prod)
'''),
]
