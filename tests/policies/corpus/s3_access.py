"""S3 access: public access blocks (bucket or account) and bucket policies that refuse plain HTTP."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

PUBLIC, TLS = "s3-bucket-public-access-blocked", "s3-bucket-tls-only"
_BUCKET = '''\
name = "acme-artifacts"
bucket = aws.s3.Bucket("artifacts", bucket=name, opts=in_prod)
'''


def _block(bucket: str = "bucket.id", off: str = "", resource: str = "artifacts-block",
           opts: str = "in_prod") -> str:
    flags = ", ".join(f"{f}={f != off}" for f in ("block_public_acls", "block_public_policy",
                                                   "ignore_public_acls", "restrict_public_buckets"))
    return f'aws.s3.BucketPublicAccessBlock("{resource}", bucket={bucket}, {flags}, opts={opts})\n'


def _deny(resources: str = '[f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]', effect: str = "Deny",
          action: str = '"s3:*"', value: str = '"false"') -> str:
    """A BucketPolicy (json.dumps) with one TLS statement, parts overridable."""
    return ('aws.s3.BucketPolicy("artifacts-policy", bucket=bucket.id, policy=json.dumps({\n'
            f'    "Version": "2012-10-17", "Statement": [{{"Sid": "TLS", "Effect": "{effect}", "Principal": "*", "Action": {action},\n'
            f'                   "Resource": {resources},\n'
            f'                   "Condition": {{"Bool": {{"aws:SecureTransport": {value}}}}}}}]}}),\n'
            '    opts=in_prod)\n')


VARIANTS = [
    Variant(PUBLIC, VIOLATES, "no-block", resource="artifacts", program=_BUCKET),
    Variant(PUBLIC, VIOLATES, "one-flag-off", resource="artifacts",
            program=_BUCKET + _block(off="restrict_public_buckets")),
    Variant(PUBLIC, VIOLATES, "loop-blocks-one-bucket", resource="site", program='''\
buckets = {n: aws.s3.BucketV2(n, opts=in_prod) for n in ("artifacts", "site")}
aws.s3.BucketPublicAccessBlock("artifacts-block", bucket=buckets["artifacts"].id, block_public_acls=True,
    block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True, opts=in_prod)
'''),
    Variant(PUBLIC, VIOLATES, "account-block-in-another-account", resource="artifacts", program=_BUCKET + '''\
aws.s3.AccountPublicAccessBlock("staging-account", block_public_acls=True, block_public_policy=True,
    ignore_public_acls=True, restrict_public_buckets=True, opts=in_staging)
'''),
    Variant(PUBLIC, VIOLATES, "account-block-with-a-flag-off", resource="artifacts", program=_BUCKET + '''\
aws.s3.AccountPublicAccessBlock("prod-account", account_id=PROD, block_public_acls=True,
    block_public_policy=False, ignore_public_acls=True, restrict_public_buckets=True, opts=in_prod)
'''),
    Variant(PUBLIC, NEAR_MISS, "args-class-block", program=_BUCKET + '''\
aws.s3.BucketPublicAccessBlock("artifacts-block", aws.s3.BucketPublicAccessBlockArgs(bucket=bucket.bucket,
    block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True),
    opts=in_prod)
'''),
    Variant(PUBLIC, NEAR_MISS, "account-block-same-provider", program='''\
aws.s3.AccountPublicAccessBlock("prod-account", block_public_acls=True, block_public_policy=True,
    ignore_public_acls=True, restrict_public_buckets=True, opts=in_prod)
for n in ("artifacts", "logs"):
    aws.s3.Bucket(n, opts=in_prod)
'''),

    Variant(TLS, VIOLATES, "no-policy", resource="artifacts", program=_BUCKET),
    Variant(TLS, VIOLATES, "objects-only", resource="artifacts",
            program=_BUCKET + _deny(resources='f"arn:aws:s3:::{name}/*"')),
    Variant(TLS, VIOLATES, "allow-secure-instead-of-deny", resource="artifacts",
            program=_BUCKET + _deny(effect="Allow", value='"true"')),
    Variant(TLS, VIOLATES, "deny-get-only", resource="artifacts", program=_BUCKET + _deny(action='"s3:GetObject"')),
    Variant(TLS, VIOLATES, "policy-document-deny-named-principal", resource="artifacts", program=_BUCKET + '''\
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    effect="Deny", actions=["s3:*"], resources=[f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
        type="AWS", identifiers=[f"arn:aws:iam::{PROD}:role/app"])],
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
        test="Bool", variable="aws:SecureTransport", values=["false"])])])
aws.s3.BucketPolicy("artifacts-policy", bucket=bucket.id, policy=doc.json, opts=in_prod)
'''),
    Variant(TLS, NEAR_MISS, "policy-document-from-bucket-name", program='''\
bucket = aws.s3.Bucket("artifacts", opts=in_prod)
doc = bucket.bucket.apply(lambda n: aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(sid="DenyInsecureTransport", effect="Deny", actions=["s3:*"],
        resources=[f"arn:aws:s3:::{n}", f"arn:aws:s3:::{n}/*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
            test="Bool", variable="aws:SecureTransport", values=["false"])])]).json)
aws.s3.BucketPolicy("artifacts-policy", bucket=bucket.id, policy=doc, opts=in_prod)
'''),
    Variant(TLS, NEAR_MISS, "legacy-inline-policy-json-boolean", program='''\
aws.s3.Bucket("artifacts", bucket="acme-artifacts", policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "arn:aws:s3:::*",
    "Condition": {"Bool": {"aws:SecureTransport": False}}}]}), opts=in_prod)
'''),
]
