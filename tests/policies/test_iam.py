"""IAM rules through the analyzer: trust policies, permission documents, attached managed policies."""
import json

import pytest

from preflight.pack_config import PackConfigError
from tests.policies.conftest import aws_provider

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OIDC = "arn:aws:iam::444444444444:oidc-provider/token.actions.githubusercontent.com"
OIDC_PINNED, STAR_WRITES = "iam-role-trust-oidc-subject-pinned", "iam-policy-no-wildcard-resource-for-writes"
WAIVER = {"waivers": [{"resource": "*", "reason": "temporary exception", "expires": "2099-01-01"}]}


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal, **extra):
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


def github_trust(sub, aud="sts.amazonaws.com", operator="StringEquals"):
    conditions = {"StringEquals": {"token.actions.githubusercontent.com:aud": aud}} if aud else {}
    conditions.setdefault(operator, {})["token.actions.githubusercontent.com:sub"] = sub
    return doc({"Effect": "Allow", "Principal": {"Federated": OIDC},
                "Action": "sts:AssumeRoleWithWebIdentity", "Condition": conditions})


def role(pack, assume, name="deploy", config=None, **props):
    return pack.check(ROLE, {"assumeRolePolicy": assume, **props}, name=name, config=config)


# ---- trust ------------------------------------------------------------------------------------

def test_wildcard_principal_violates_and_cannot_be_waived(pack):
    for principal in ("*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111111111111:role/ci", "*"]}):
        [d] = role(pack, trust(principal)).of("iam-role-trust-no-wildcard-principal")
        assert d.enforcement == "mandatory" and d.severity == "critical"
        assert 'role "deploy" trust statement 0' in d.message and 'Principal "*"' in d.message
    with pytest.raises(PackConfigError, match="^policy pack config: iam-role-trust-no-wildcard-principal: "
                                              "cannot be waived; remove its waivers$"):
        role(pack, trust("*"), config={"iam-role-trust-no-wildcard-principal": WAIVER})


def test_service_and_role_principals_pass_the_trust_rules(pack):
    for principal in ({"Service": "ecs-tasks.amazonaws.com"},
                      {"AWS": "arn:aws:iam::111111111111:role/pipeline"}):
        r = role(pack, trust(principal))
        assert not {p for p in r.policies() if p.startswith("iam-role-trust-")}


def test_account_root_trust_violates(pack):
    for principal in ({"AWS": "arn:aws:iam::111111111111:root"}, {"AWS": "111111111111"}):
        [d] = role(pack, trust(principal, Sid="Tooling")).of("iam-role-trust-cross-account-scoped")
        assert d.severity == "high" and "trust statement Tooling" in d.message and "111111111111" in d.message
        assert "role ARNs" in d.message
    narrowed = trust({"AWS": "arn:aws:iam::111111111111:root"},
                     Condition={"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/pipeline"}})
    assert not role(pack, narrowed).of("iam-role-trust-cross-account-scoped")


def test_root_trust_is_narrowed_only_by_matching_named_principal_arns(pack):
    root = {"AWS": "arn:aws:iam::111111111111:root"}
    for condition in ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}},
                      {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/pipeline"}},
                      {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/intern"}},
                      {"StringEquals": {"sts:ExternalId": "acme-7f3a"}}):
        [d] = role(pack, trust(root, Condition=condition)).of("iam-role-trust-cross-account-scoped")
        assert "trusts whole account(s) ['arn:aws:iam::111111111111:root']" in d.message
    prefixed = {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/ci-*",
                                                 "arn:aws:iam::111111111111:role/ops/deployer"]}}
    assert not role(pack, trust(root, Condition=prefixed)).of("iam-role-trust-cross-account-scoped")


def test_github_oidc_trust_must_pin_one_repository(pack):
    for sub in ("repo:acme/*", "*", "repo:*/orders:*"):
        [d] = role(pack, github_trust(sub, operator="StringLike")).of(OIDC_PINNED)
        assert d.severity == "critical" and repr(sub) in d.message
        assert "not pinned to one repository" in d.message
    [no_aud] = role(pack, github_trust("repo:acme/orders:ref:refs/heads/main", aud=None)).of(OIDC_PINNED)
    assert "aud" in no_aud.message and "not pinned" not in no_aud.message
    for sub, operator in [("repo:acme/orders:ref:refs/heads/main", "StringEquals"),
                          ("repo:acme/orders:*", "StringLike")]:
        assert not role(pack, github_trust(sub, operator=operator)).of(OIDC_PINNED)


def test_github_oidc_audience_under_string_like_and_enterprise_issuers_count(pack):
    keys = "token.actions.githubusercontent.com"
    like = doc({"Effect": "Allow", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringLike": {f"{keys}:aud": "sts.amazonaws.com",
                                             f"{keys}:sub": "repo:acme/orders:*"}}})
    assert not role(pack, like).of(OIDC_PINNED)
    issuer = "token.actions.githubusercontent.com/acme-corp"
    enterprise = doc({"Effect": "Allow", "Principal": {"Federated": f"{OIDC}/acme-corp"},
                      "Action": "sts:AssumeRoleWithWebIdentity",
                      "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com",
                                                     f"{issuer}:sub": "repo:acme/orders:environment:prod"}}})
    assert not role(pack, enterprise, name="orders-prod-deploy").policies() & {
        OIDC_PINNED, "iam-role-prod-oidc-requires-environment"}
    # The enterprise issuer's keys are the ones checked: the public issuer's keys do not pin it.
    public_keys = enterprise.replace(f"{issuer}:", "token.actions.githubusercontent.com:")
    [d] = role(pack, public_keys).of(OIDC_PINNED)
    assert "has no StringEquals" in d.message and "(no sub condition)" in d.message


def test_prod_github_role_must_pin_an_environment(pack):
    branch = github_trust("repo:acme/orders:ref:refs/heads/main")
    [d] = role(pack, branch, name="orders-prod-deploy").of("iam-role-prod-oidc-requires-environment")
    assert d.severity == "high" and "repo:acme/orders:ref:refs/heads/main" in d.message
    assert "environment" in d.message
    env = github_trust("repo:acme/orders:environment:production")
    assert not role(pack, env, name="orders-prod-deploy").of("iam-role-prod-oidc-requires-environment")
    # A branch-pinned role that is not prod (by name or account) is fine.
    assert not role(pack, branch, name="orders-staging-deploy").of("iam-role-prod-oidc-requires-environment")
    config = {"iam-role-prod-oidc-requires-environment": {"prodAccountIds": ["444444444444"]}}
    r = pack.check(ROLE, {"assumeRolePolicy": branch}, name="deploy", config=config,
                   provider=aws_provider("444444444444"))
    assert r.of("iam-role-prod-oidc-requires-environment")


# ---- permission documents ---------------------------------------------------------------------

def test_admin_policy_violates_and_cannot_be_waived(pack):
    [d] = pack.check(POLICY, {"policy": doc(allow("*", "*"))}, name="break-glass").of("iam-policy-no-admin")
    assert d.enforcement == "mandatory" and d.severity == "critical"
    assert 'policy "break-glass" statement 0' in d.message
    with pytest.raises(PackConfigError, match="^policy pack config: iam-policy-no-admin: cannot be waived; "
                                              "remove its waivers$"):
        pack.check(POLICY, {"policy": doc(allow("*", "*"))}, name="break-glass",
                   config={"iam-policy-no-admin": WAIVER})


def test_admin_in_role_inline_policy_violates(pack):
    props = {"assumeRolePolicy": trust({"Service": "codebuild.amazonaws.com"}),
             "inlinePolicies": [{"name": "everything", "policy": doc(allow(["*"], ["*"], Sid="All"))}]}
    [d] = pack.check(ROLE, props, name="build").of("iam-policy-no-admin")
    assert 'role "build" inline policy "everything" statement All' in d.message


def test_scoped_policy_passes_every_permission_rule(pack):
    scoped = doc(allow(["ecr:GetAuthorizationToken", "sts:GetCallerIdentity"], "*"),
                 allow(["ecs:UpdateService", "ecs:DescribeServices"],
                       "arn:aws:ecs:eu-west-1:444444444444:service/orders-prod-*/orders-prod-*"),
                 allow("iam:PassRole", "arn:aws:iam::444444444444:role/orders-prod-*",
                       Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
                 allow("ecs:RegisterTaskDefinition", "*"))
    for type_ in (POLICY, ROLE_POLICY):
        r = pack.check(type_, {"policy": scoped, "role": "deploy"}, name="deploy")
        assert not {p for p in r.policies() if p.startswith("iam-policy-")}


def test_service_wildcard_violates(pack):
    wide = doc(allow(["s3:*", "ecr:Get*"], "arn:aws:s3:::b"))
    r = pack.check(ROLE_POLICY, {"role": "deploy", "policy": wide}, name="deploy")
    [d] = r.of("iam-policy-no-service-wildcard")
    assert d.severity == "high" and 'role policy "deploy"' in d.message and "'s3:*'" in d.message
    assert "ecr:Get*" not in d.message


def test_passrole_on_star_or_without_service_violates(pack):
    for statement, expected in [(allow("iam:PassRole", "*"), 'on Resource "*" and without'),
                                (allow("iam:Pass*", "arn:aws:iam::1:role/app"), "without an iam:PassedTo"),
                                (allow("iam:*", "arn:aws:iam::1:role/app"), "without")]:
        [d] = pack.check(POLICY, {"policy": doc(statement)}, name="ci").of("iam-policy-passrole-scoped")
        assert d.severity == "high" and "iam:PassRole" in d.message and expected in d.message


def test_passrole_service_condition_must_name_the_services(pack):
    role_arn = "arn:aws:iam::1:role/app"
    for condition in ({"StringLike": {"iam:PassedToService": "*.amazonaws.com"}},
                      {"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
                      {"StringEquals": {"iam:PassedToService": []}}):
        statement = allow("iam:PassRole", role_arn, Condition=condition)
        [d] = pack.check(POLICY, {"policy": doc(statement)}, name="ci").of("iam-policy-passrole-scoped")
        assert "without an iam:PassedToService condition naming the services" in d.message
    for condition in ({"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
                      {"ForAnyValue:StringEquals": {"IAM:PassedToService": ["lambda.amazonaws.com"]}}):
        statement = allow("iam:PassRole", role_arn, Condition=condition)
        assert not pack.check(POLICY, {"policy": doc(statement)}, name="ci").of("iam-policy-passrole-scoped")


def test_write_actions_on_star_violate(pack):
    writes = allow(["s3:PutObject", "logs:CreateLogGroup", "ecr:GetAuthorizationToken", "s3:GetObject"], "*")
    [d] = pack.check(POLICY, {"policy": doc(writes)}, name="ci").of(STAR_WRITES)
    assert d.severity == "medium" and "'s3:PutObject'" in d.message and "'logs:CreateLogGroup'" in d.message
    assert "GetAuthorizationToken" not in d.message and "GetObject" not in d.message
    [pattern] = pack.check(POLICY, {"policy": doc(allow("ssm:Put*", "*"))}, name="ci").of(STAR_WRITES)
    assert "'ssm:Put*'" in pattern.message


def test_write_actions_without_resource_scoping_and_configured_exceptions_pass(pack):
    unscopable = doc(allow(["cloudwatch:PutMetricData", "xray:PutTraceSegments",
                            "ecs:DeregisterTaskDefinition"], "*"))
    assert not pack.check(POLICY, {"policy": unscopable}, name="ci").of(STAR_WRITES)
    config = {STAR_WRITES: {"allowedWildcardWriteActions": ["logs:CreateLogGroup"]}}
    r = pack.check(POLICY, {"policy": doc(allow("logs:CreateLogGroup", "*"))}, name="ci", config=config)
    assert not r.of(STAR_WRITES)


# ---- attached managed policies ------------------------------------------------------------------

def test_privileged_managed_policies_violate(pack):
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    cases = [("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "deploy", "policyArn": admin}),
             ("aws:iam/policyAttachment:PolicyAttachment", {"roles": ["deploy"], "policyArn": admin}),
             (ROLE, {"assumeRolePolicy": trust({"Service": "ecs-tasks.amazonaws.com"}),
                     "managedPolicyArns": ["arn:aws:iam::aws:policy/IAMFullAccess"]})]
    for type_, props in cases:
        [d] = pack.check(type_, props, name="deploy").of("iam-role-no-privileged-managed-policies")
        assert d.severity == "high" and '"deploy"' in d.message and "Access" in d.message
    readonly = {"role": "deploy", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    assert not pack.check("aws:iam/rolePolicyAttachment:RolePolicyAttachment", readonly, name="deploy").of(
        "iam-role-no-privileged-managed-policies")
