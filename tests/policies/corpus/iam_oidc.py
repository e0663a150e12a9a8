"""GitHub Actions OIDC trust policies: audience, repository and (prod) environment pinning."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

PINNED, PROD_ENV = "iam-role-trust-oidc-subject-pinned", "iam-role-prod-oidc-requires-environment"
_GITHUB = '''\
GITHUB = "token.actions.githubusercontent.com"


def github_trust(subjects, operator="StringLike", audience=True, issuer=GITHUB, account=PROD):
    condition = {operator: {f"{issuer}:sub": subjects}}
    if audience:
        condition.setdefault("StringEquals", {})[f"{issuer}:aud"] = "sts.amazonaws.com"
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{issuer}"}, "Condition": condition}]})
'''


def _role(name: str, trust: str, opts: str = "in_prod") -> str:
    return _GITHUB + f'aws.iam.Role("{name}", assume_role_policy={trust}, opts={opts})\n'


VARIANTS = [
    Variant(PINNED, VIOLATES, "org-wide-subject", resource="gh-deploy",
            program=_role("gh-deploy", 'github_trust("repo:acme/*", account=STAGING)', "in_staging")),
    Variant(PINNED, VIOLATES, "no-audience-policy-document", resource="gh-deploy", program=_GITHUB + '''\
trust = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sts:AssumeRoleWithWebIdentity"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Federated",
        identifiers=[f"arn:aws:iam::{STAGING}:oidc-provider/{GITHUB}"])],
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(test="StringEquals",
        variable=f"{GITHUB}:sub", values=["repo:acme/orders:ref:refs/heads/main"])])])
aws.iam.Role("gh-deploy", assume_role_policy=trust.json, opts=in_staging)
'''),
    Variant(PINNED, VIOLATES, "repository-name-wildcard", resource="gh-deploy",
            program=_role("gh-deploy", 'github_trust("repo:acme/orders-*:ref:refs/heads/main", account=STAGING)',
                          "in_staging")),
    Variant(PINNED, VIOLATES, "one-pinned-one-open", resource="gh-deploy", program=_role(
        "gh-deploy", 'github_trust(["repo:acme/orders:environment:production", "repo:acme/*:*"])')),
    Variant(PINNED, VIOLATES, "loop-over-repositories", resource="gh-payments", program=_GITHUB + '''\
for repo, sub in {"orders": "repo:acme/orders:*", "payments": "*"}.items():
    aws.iam.Role(f"gh-{repo}", assume_role_policy=github_trust(sub, account=STAGING), opts=in_staging)
'''),
    # The provider's ARN is computed: the whole trust document is unknown until apply.
    Variant(PINNED, VIOLATES, "oidc-provider-resource-arn", resource="gh-deploy",
            program='''\
oidc = aws.iam.OpenIdConnectProvider("github", url="https://token.actions.githubusercontent.com",
    client_id_lists=["sts.amazonaws.com"], opts=in_staging)
aws.iam.Role("gh-deploy", assume_role_policy=oidc.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": arn},
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}]})),
    opts=in_staging)
'''),
    Variant(PINNED, NEAR_MISS, "everything-under-string-like", program=_GITHUB + '''\
aws.iam.Role("gh-deploy", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": f"arn:aws:iam::{STAGING}:oidc-provider/{GITHUB}"},
    "Condition": {"StringLike": {f"{GITHUB}:aud": "sts.amazonaws.com", f"{GITHUB}:sub": "repo:acme/orders:*"}}}]}),
    opts=in_staging)
'''),
    Variant(PINNED, NEAR_MISS, "enterprise-issuer", program=_role("gh-deploy", (
        'github_trust("repo:acme/orders:environment:production", operator="StringEquals", '
        'issuer=f"{GITHUB}/acme-corp")'))),

    Variant(PROD_ENV, VIOLATES, "branch-subject-in-prod-account", resource="gh-deploy", program=_role(
        "gh-deploy", 'github_trust("repo:acme/orders:ref:refs/heads/main", operator="StringEquals")')),
    Variant(PROD_ENV, VIOLATES, "prod-by-name-in-tooling", resource="deploy-prod", program=_role(
        "deploy-prod", 'github_trust("repo:acme/orders:*", account=TOOLING)', "in_tooling")),
    Variant(PROD_ENV, VIOLATES, "environment-wildcard", resource="gh-deploy",
            program=_role("gh-deploy", 'github_trust("repo:acme/orders:environment:*")')),
    Variant(PROD_ENV, VIOLATES, "loop-over-environments", resource="gh-production", program=_GITHUB + '''\
for env, opts in {"staging": in_staging, "production": in_prod}.items():
    aws.iam.Role(f"gh-{env}", assume_role_policy=github_trust("repo:acme/orders:ref:refs/heads/main"), opts=opts)
'''),
    Variant(PROD_ENV, NEAR_MISS, "environment-in-prod", program=_role(
        "gh-deploy", 'github_trust("repo:acme/orders:environment:production", operator="StringEquals")')),
    Variant(PROD_ENV, NEAR_MISS, "branch-subject-in-staging", program=_role(
        "gh-deploy", 'github_trust("repo:acme/orders:ref:refs/heads/main", account=STAGING)', "in_staging")),
]
