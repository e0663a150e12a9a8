"""--format github: a workflow command per violation at the program line that registered the resource.

Escaping is @actions/core's (actions/toolkit packages/core/src/command.ts, commit a944251692e5):
escapeData replaces % → %25, \\r → %0D, \\n → %0A in the message; escapeProperty does the same and
also : → %3A, , → %2C in property values (file, line, title).
"""
from preflight.model import RecordedResource, Violation
from preflight.reports import render
from preflight.reports.github import SHOWN_PER_KIND
from tests.preflight.report_samples import REPO, multi_report, prod_report, urn
from tests.preflight.test_runner import BASIC, preflight

ODD = RecordedResource(urn=urn("aws:s3/bucket:Bucket", "odd"), type="aws:s3/bucket:Bucket", name="odd", custom=True,
                       inputs={}, source=("components/odd,name:v2.py", 7))


def test_annotations_of_the_sample_report_and_the_closing_notice():
    assert render(prod_report(), "github").splitlines() == [
        "::error file=components/pipeline.py,line=88,title=codepipeline-prod-manual-approval-required::stage "
        '"DeployProd" deploys to prod with no Manual approval before it (orders-pipeline, '
        "aws:codepipeline/pipeline:Pipeline)",
        "::error file=components/registry.py,line=42,title=ecr-repository-tags-immutable::imageTagMutability is "
        '"MUTABLE"; set IMMUTABLE (orders, aws:ecr/repository:Repository)',
        # No registering line known for the function, and a stack-level finding has none: no file.
        '::warning title=lambda-function-runtime-supported::runtime "python3.8" is deprecated; use python3.12 '
        "(hook, aws:lambda/function:Function)",
        "::warning title=ecs-cluster-container-insights::2 clusters without Container Insights | see cicd-prod "
        "(stack aws-cicd-platform/prod)",
        "::notice::FAIL: 2 mandatory violations; 2 advisory violations, 2 waived, 9 resources in "
        "aws-cicd-platform/prod (preview); could not see: 1 unanswered invoke; 1 secret config value not decrypted"]


def test_properties_and_message_are_escaped_as_actions_core_escapes_them():
    violation = Violation("s3-odd, really: yes", "mandatory", "high", ODD.urn, "odd", ODD.type,
                          "100% public: a, b\r\nsecond line")
    report = prod_report(resources=[ODD], violations=[violation], unanswered_invokes=[], secret_config_keys=[])
    assert render(report, "github").splitlines()[0] == (
        "::error file=components/odd%2Cname%3Av2.py,line=7,title=s3-odd%2C really%3A yes::"
        "100%25 public: a, b%0D%0Asecond line (odd, aws:s3/bucket:Bucket)")


def test_paths_are_the_sarif_reports_relative_to_the_checkout(tmp_path, monkeypatch):
    violation = Violation("ecr-repository-tags-immutable", "advisory", "high", REPO.urn, "orders", REPO.type, "m")
    assert render(prod_report(violations=[violation], program_dir="apps/web"), "github").splitlines()[0] == (
        "::warning file=apps/web/components/registry.py,line=42,title=ecr-repository-tags-immutable::"
        "m (orders, aws:ecr/repository:Repository)")
    monkeypatch.chdir(tmp_path)
    absolute = prod_report(violations=[violation], program_dir=str(tmp_path / "svc"))
    assert render(absolute, "github").startswith("::warning file=svc/components/registry.py,line=42,")


def test_multi_stack_annotates_every_stack_with_the_stack_in_the_title():
    lines = render(multi_report(), "github").splitlines()
    assert [line.split("::")[1] for line in lines] == [
        "error file=components/pipeline.py,line=88,title=codepipeline-prod-manual-approval-required (prod)",
        "error file=components/registry.py,line=42,title=ecr-repository-tags-immutable (prod)",
        "warning title=lambda-function-runtime-supported (prod)",
        "warning title=ecs-cluster-container-insights (prod)",
        "error title=preflight (broken)",
        "notice"]
    assert lines[4] == "::error title=preflight (broken)::stack broken: program error at __main__.py:8: ValueError"
    assert lines[-1].startswith("::notice::ERROR: 1 of 3 stacks could not run (broken); 1 with mandatory")


def test_the_notice_says_when_github_will_not_show_them_all():
    many = [Violation("ecr-repository-tags-immutable", "mandatory", "high", f"urn:x::r{i}", f"r{i}", REPO.type, "m")
            for i in range(SHOWN_PER_KIND + 2)]
    lines = render(prod_report(violations=many, unanswered_invokes=[], secret_config_keys=[]), "github").splitlines()
    assert len(lines) == SHOWN_PER_KIND + 3
    assert lines[-1].endswith("; GitHub shows the first 10 annotations of each kind per step, all 12 errors are "
                              "in this log")


def test_a_real_run_annotates_the_line_of_the_fixture_program(tmp_path):
    proc = preflight("--program", "tests/fixtures/violating", "--policy-pack", str(BASIC), "--format", "github",
                     "--no-known-parts", tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert errors == ["::error file=tests/fixtures/violating/__main__.py,line=17,title=fixture-repo-scan-on-push::"
                      "repository 'orders' does not scan on push; set scan_on_push=True "
                      "(orders, aws:ecr/repository:Repository)"]
    assert proc.stdout.splitlines()[-1].startswith("::notice::FAIL: 1 mandatory violation; 2 advisory violations")
