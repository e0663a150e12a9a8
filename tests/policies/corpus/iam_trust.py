"""Role trust policies that let anyone, or a whole account, assume the role."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

WILDCARD, CROSS_ACCOUNT = "iam-role-trust-no-wildcard-principal", "iam-role-trust-cross-account-scoped"


def _trust(statement: str) -> str:
    return ('aws.iam.Role("deployer", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [\n'
            f'    {statement}]}}), opts=in_prod)\n')


VARIANTS = [
    Variant(WILDCARD, VIOLATES, "policy-document-star-principal", resource="deployer", program='''\
trust = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sts:AssumeRole"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])])])
aws.iam.Role("deployer", assume_role_policy=trust.json, opts=in_prod)
'''),
    Variant(WILDCARD, VIOLATES, "aws-star-json-dumps", resource="deployer",
            program=_trust('{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}')),
    Variant(WILDCARD, VIOLATES, "star-among-role-arns", resource="deployer", program='''\
aws.iam.Role("deployer", assume_role_policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
    "Principal": {"AWS": ["arn:aws:iam::111111111111:role/pipeline", "*"]}}]}), opts=in_prod)
'''),
    # A trust policy may never name "*": an organisation condition does not make it acceptable.
    Variant(WILDCARD, VIOLATES, "org-condition-does-not-excuse-it", resource="deployer", program='''\
trust = aws.iam.get_policy_document(statements=[{
    "actions": ["sts:AssumeRole"], "principals": [{"type": "AWS", "identifiers": ["*"]}],
    "conditions": [{"test": "StringEquals", "variable": "aws:PrincipalOrgID", "values": ["o-a1b2c3d4e5"]}]}])
aws.iam.Role("deployer", assume_role_policy=trust.json, opts=in_prod)
'''),
    Variant(WILDCARD, VIOLATES, "principals-from-config", resource="reader", config={"trusted": "*"}, program='''\
trusted = pulumi.Config().require("trusted").split(",")
aws.iam.Role("reader", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": p}} for p in trusted]}), opts=in_prod)
'''),
    Variant(WILDCARD, NEAR_MISS, "deny-star-next-to-a-service", program=_trust(
        '{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},\n'
        '    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",\n'
        '     "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}')),

    Variant(CROSS_ACCOUNT, VIOLATES, "root-arn-json-dumps", resource="deployer", program=_trust(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},\n'
        '     "Action": "sts:AssumeRole"}')),
    Variant(CROSS_ACCOUNT, VIOLATES, "bare-account-id-policy-document", resource="deployer", program='''\
trust = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sts:AssumeRole"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="AWS", identifiers=[TOOLING])])])
aws.iam.Role("deployer", assume_role_policy=trust.json, opts=in_prod)
'''),
    Variant(CROSS_ACCOUNT, VIOLATES, "root-of-caller-account", resource="deployer", program='''\
tooling_id = aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=tooling)).account_id
aws.iam.Role("deployer", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"AWS": [f"arn:aws:iam::{tooling_id}:root", "arn:aws:iam::111111111111:role/pipeline"]}}]}),
    opts=in_prod)
'''),
    Variant(CROSS_ACCOUNT, VIOLATES, "output-all-over-account-ids", resource="promoter", program='''\
ids = [aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=p)).account_id
       for p in (tooling, staging)]
aws.iam.Role("promoter", assume_role_policy=pulumi.Output.all(*ids).apply(lambda accounts: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]}}]})), opts=in_prod)
'''),
    Variant(CROSS_ACCOUNT, VIOLATES, "external-id-is-not-narrowing", resource="vendor", program='''\
aws.iam.Role("vendor", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::444444444444:root"},
    "Condition": {"StringEquals": {"sts:ExternalId": "acme-7f3a"}}}]}), opts=in_prod)
'''),
    Variant(CROSS_ACCOUNT, VIOLATES, "principal-arn-every-role", resource="deployer", program=_trust(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole",\n'
        '     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}}')),
    Variant(CROSS_ACCOUNT, VIOLATES, "principal-arn-negated", resource="deployer", program=_trust(
        '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole",\n'
        '     "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/intern"}}}')),
    Variant(CROSS_ACCOUNT, NEAR_MISS, "root-narrowed-by-principal-arn", program='''\
trust = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sts:AssumeRole"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
        type="AWS", identifiers=[f"arn:aws:iam::{TOOLING}:root"])],
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(test="ArnLike", variable="aws:PrincipalArn",
        values=[f"arn:aws:iam::{TOOLING}:role/pipeline-*", f"arn:aws:iam::{TOOLING}:role/ci/deployer"])])])
aws.iam.Role("deployer", assume_role_policy=trust.json, opts=in_prod)
'''),
    Variant(CROSS_ACCOUNT, NEAR_MISS, "role-arns-and-services", program=_trust(
        '{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {\n'
        '        "AWS": ["arn:aws:iam::111111111111:role/pipeline", "arn:aws:iam::222222222222:role/promoter"],\n'
        '        "Service": "codepipeline.amazonaws.com"}}')),
]
