"""preflight/known_parts.py: a preview finding from two salted `up` runs, only where the preview could not
evaluate it (pulumi_policy policy.py reports such a policy as "can't run policy ... during preview")."""
from preflight import fabricate
from preflight.known_parts import NOTE, judged, unevaluated_pairs
from preflight.protocol import Diagnostic

URN = "urn:pulumi:prod::p::aws:ecs/taskDefinition:TaskDefinition::orders"
OTHER = "urn:pulumi:prod::p::aws:ecs/taskDefinition:TaskDefinition::payments"


def diag(policy, urn, message):
    return Diagnostic(policy=policy, enforcement="mandatory", severity="high", message=message, description="",
                      urn=urn)


def unknown(policy, urn):
    return diag(policy, urn, f"can't run policy '{policy}' from policy pack 'aws-cicd-guardrails@v0.1.0' during "
                             "preview: containerDefinitions is unknown")


def test_a_finding_both_runs_report_where_the_preview_had_no_verdict_is_kept_and_marked():
    preview = [unknown("ecs-task-definition-image-pinned", URN), diag("other", OTHER, "already reported")]
    pairs = unevaluated_pairs(preview)
    assert pairs == {("ecs-task-definition-image-pinned", URN)}
    a = [diag("ecs-task-definition-image-pinned", URN, "image ...:latest"), diag("other", OTHER, "already reported")]
    b = [diag("ecs-task-definition-image-pinned", URN, "image ...:latest")]
    assert [(d.policy, d.message) for d in judged(pairs, [a, b])] == [
        ("ecs-task-definition-image-pinned", "image ...:latest" + NOTE)]


def test_a_finding_that_depends_on_a_made_up_value_is_dropped():
    pairs = {("ecs-task-definition-image-registry-allowed", URN)}
    a = [diag("ecs-task-definition-image-registry-allowed", URN, "registry 1a2b")]
    assert judged(pairs, [a, []]) == []


def test_nothing_is_added_where_the_preview_had_a_verdict():
    a = b = [diag("ecr-repository-scan-on-push", URN, "no scan")]
    assert judged(set(), [a, b]) == [] and judged({("x", URN)}, [a, b]) == []


def test_the_salt_varies_made_up_ids_and_never_what_follows_from_known_inputs(monkeypatch):
    place = fabricate.Place("333333333333", "us-east-1")
    urn = "urn:pulumi:prod::p::aws:kms/key:Key::k"
    first = fabricate.identity("aws:kms/key:Key", "k", urn, {}, place)
    repo = fabricate.identity("aws:ecr/repository:Repository", "r", urn.replace("kms/key:Key::k", "ecr/repository:"
                                                                                "Repository::r"), {"name": "r"}, place)
    monkeypatch.setattr(fabricate, "SALT", "known-parts-b")
    second = fabricate.identity("aws:kms/key:Key", "k", urn, {}, place)
    assert first[0] != second[0] and first[1]["arn"].startswith("arn:aws:kms:us-east-1:333333333333:key/")
    assert fabricate.identity("aws:ecr/repository:Repository", "r", urn.replace(
        "kms/key:Key::k", "ecr/repository:Repository::r"), {"name": "r"}, place) == repo
    assert repo[1]["repositoryUrl"] == "333333333333.dkr.ecr.us-east-1.amazonaws.com/r"
