"""ECR repository and registry policies that open the images to everyone, and ones that only look so."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_RULE = "ecr-repository-policy-not-public"
_REPO = ('repo = aws.ecr.Repository("orders", image_tag_mutability="IMMUTABLE",\n'
         '    image_scanning_configuration={"scan_on_push": True},\n'
         '    encryption_configurations=[{"encryption_type": "KMS"}], opts=in_tooling)\n')
_PULL = '["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]'

VARIANTS = [
    Variant(_RULE, VIOLATES, "json-dumps-star-principal", resource="orders-policy", program=_REPO +
            'aws.ecr.RepositoryPolicy("orders-policy", repository=repo.name, policy=json.dumps({\n'
            '    "Version": "2012-10-17",\n'
            '    "Statement": [{"Sid": "AllowPull", "Effect": "Allow", "Principal": "*",\n'
            '                   "Action": ' + _PULL + '}]}), opts=in_tooling)\n'),
    Variant(_RULE, VIOLATES, "get-policy-document-star", resource="orders-policy", program=_REPO +
            'doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(\n'
            '    sid="Pull", actions=' + _PULL + ',\n'
            '    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])])])\n'
            'aws.ecr.RepositoryPolicy("orders-policy", repository=repo.name, policy=doc.json, opts=in_tooling)\n'),
    # A condition that does not pin the caller (TLS only) still lets every AWS account pull.
    Variant(_RULE, VIOLATES, "aws-star-unscoping-condition", resource="orders-policy", program=_REPO +
            'aws.ecr.RepositoryPolicy("orders-policy", repository=repo.name, policy=json.dumps({\n'
            '    "Version": "2012-10-17",\n'
            '    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ' + _PULL + ',\n'
            '                   "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}), opts=in_tooling)\n'),
    Variant(_RULE, VIOLATES, "registry-policy-star", resource="registry", program=
            'aws.ecr.RegistryPolicy("registry", policy=json.dumps({\n'
            '    "Version": "2012-10-17",\n'
            '    "Statement": [{"Sid": "Replicate", "Effect": "Allow", "Principal": {"AWS": ["*"]},\n'
            '                   "Action": ["ecr:ReplicateImage", "ecr:CreateRepository"],\n'
            '                   "Resource": f"arn:aws:ecr:us-east-1:{TOOLING}:repository/*"}]}), opts=in_tooling)\n'),
    Variant(_RULE, VIOLATES, "loop-one-account-star", resource="orders-policy", program=_REPO +
            'readers = [f"arn:aws:iam::{STAGING}:root", "*"]\n'
            'aws.ecr.RepositoryPolicy("orders-policy", repository=repo.name, policy=pulumi.Output.json_dumps({\n'
            '    "Version": "2012-10-17",\n'
            '    "Statement": [{"Sid": f"Pull{i}", "Effect": "Allow", "Principal": {"AWS": who},\n'
            '                   "Action": ' + _PULL + '} for i, who in enumerate(readers)]}), opts=in_tooling)\n'),
    Variant(_RULE, NEAR_MISS, "star-scoped-by-org", program=_REPO +
            'aws.ecr.RepositoryPolicy("orders-policy", repository=repo.name, policy=json.dumps({\n'
            '    "Version": "2012-10-17",\n'
            '    "Statement": [{"Sid": "OrgPull", "Effect": "Allow", "Principal": "*", "Action": ' + _PULL + ',\n'
            '                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}}]}),\n'
            '    opts=in_tooling)\n'),
    Variant(_RULE, NEAR_MISS, "get-policy-document-named-accounts", program=_REPO +
            'doc = aws.iam.get_policy_document(statements=[{"sid": "CrossAccountPull", "actions": ' + _PULL + ',\n'
            '    "principals": [{"type": "AWS", "identifiers": [f"arn:aws:iam::{STAGING}:root",\n'
            '                                                    f"arn:aws:iam::{PROD}:root"]}]}])\n'
            'aws.ecr.RepositoryPolicy("orders-policy", repository=repo.name, policy=doc.json, opts=in_tooling)\n'),
    Variant(_RULE, NEAR_MISS, "deny-star-without-tls", program=_REPO +
            'aws.ecr.RepositoryPolicy("orders-policy", repository=repo.name, policy=json.dumps({\n'
            '    "Version": "2012-10-17",\n'
            '    "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "ecr:*",\n'
            '                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}), opts=in_tooling)\n'),
]
