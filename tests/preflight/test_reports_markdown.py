"""Markdown PR report: verdict first, violations table, notes, and the Mermaid topology diagram."""
import re

from preflight.analyzer import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN
from preflight.model import Violation
from preflight.reports import render
from preflight.reports.markdown import MAX_ROWS
from preflight.reports.mermaid import MAX_PIPELINES, MAX_TARGETS
from tests.preflight.report_samples import (PROD, PROD_ROLE, REPO, STAGING, TOOLING, clean_report, ecs_service,
                                            multi_report, mutable_repositories_report, pipeline, prod_report,
                                            provider, role, stages, urn)

NODE = re.compile(r'^\s*(\w+)\["(.*)"\]$')
SUBGRAPH = re.compile(r'^\s*subgraph (\w+)\["(.*)"\]$')


def mermaid(markdown: str) -> str:
    blocks = re.findall(r"```mermaid\n(.*?)\n```", markdown, re.S)
    assert len(blocks) == 1
    return blocks[0]


def parse(diagram: str):
    """{node or subgraph id: (label, [enclosing subgraph labels, outermost first])}, chains, edges."""
    nodes, chains, edges, stack = {}, [], [], []
    for line in diagram.splitlines()[1:]:
        if match := SUBGRAPH.match(line):
            nodes[match.group(1)] = (match.group(2), list(stack))
            stack.append(match.group(2))
        elif line.strip() == "end":
            stack.pop()
        elif match := NODE.match(line):
            nodes[match.group(1)] = (match.group(2), list(stack))
        elif " -. assumes .-> " in line:
            edges.append(tuple(line.strip().split(" -. assumes .-> ")))
        elif " --> " in line:
            chains.append(line.strip().split(" --> "))
    assert not stack, "unbalanced subgraph/end"
    return nodes, chains, edges


def test_verdict_comes_first():
    lines = render(prod_report(), "markdown").splitlines()
    assert lines[0] == "### ❌ FAIL: preflight aws-cicd-platform/prod"
    assert lines[2].startswith("`FAIL: 2 mandatory violations;")
    clean = render(clean_report(), "markdown")
    assert clean.splitlines()[0] == "### ✅ PASS: preflight aws-cicd-platform/prod"
    assert "No violations." in render(clean_report(), "markdown")


def entries(markdown: str) -> list[str]:
    """The heading line of each rule's entry."""
    return [line for line in markdown.splitlines() if line.startswith(("❌ **`", "⚠️ **`"))]


def test_the_summary_comes_before_the_rules():
    lines = render(mutable_repositories_report(4), "markdown").splitlines()
    assert lines[6:9] == [
        "- **By severity:** critical 1, high 5, medium 1, low 1",
        "- **Top rules:** `ecr-repository-tags-immutable` 5 (mandatory), "
        "`codepipeline-prod-manual-approval-required` 1 (mandatory), `lambda-function-runtime-supported` 1 "
        "(advisory), `ecs-cluster-container-insights` 1 (advisory)",
        "- **Could not see:** 1 unanswered invoke; 1 secret config value not decrypted (notes below)"]
    assert lines.index(entries("\n".join(lines))[0]) == 10


def test_one_entry_per_rule_sorted_by_severity_with_message_fix_and_resources():
    text = render(prod_report(), "markdown")
    assert entries(text) == [
        "❌ **`codepipeline-prod-manual-approval-required`** critical, mandatory: 1 resource",
        "❌ **`ecr-repository-tags-immutable`** high, mandatory: 1 resource",
        "⚠️ **`lambda-function-runtime-supported`** medium, advisory: 1 resource",
        "⚠️ **`ecs-cluster-container-insights`** low, advisory: stack-level"]
    ecr = text[text.index("❌ **`ecr-repository-tags-immutable`**"):text.index("⚠️ **`lambda")].splitlines()
    assert ecr[1:9] == ["", '> imageTagMutability is "MUTABLE"; set IMMUTABLE', "",
                        '**Fix:** Set image_tag_mutability="IMMUTABLE".', "",
                        "| Resource | Type | Location |", "| --- | --- | --- |",
                        "| `orders` | `aws:ecr/repository:Repository` | `components/registry.py:42` |"]
    stack = text[text.index("⚠️ **`ecs-cluster-container-insights`**"):text.index("> 2 violations waived")]
    assert "> 2 clusters without Container Insights \\| see cicd-prod" in stack and "| Resource |" not in stack
    assert text.count("**Fix:**") == 4 and "How to fix" not in text


def test_a_rule_on_many_resources_is_one_entry_with_the_resources_in_details():
    text = render(mutable_repositories_report(4), "markdown")
    [ecr] = [e for e in entries(text) if "ecr-repository" in e]
    assert ecr == "❌ **`ecr-repository-tags-immutable`** high, mandatory: 5 resources"
    block = text[text.index(ecr):text.index("⚠️ **`lambda")]
    assert block.count("> imageTagMutability is") == 1 and block.count("**Fix:**") == 1
    assert "<details><summary>5 resources</summary>" in block and "</details>" in block
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    assert rows == ["| `orders` | `aws:ecr/repository:Repository` | `components/registry.py:42` |"] + [
        f"| `svc{i}` | `aws:ecr/repository:Repository` | `components/registry.py:{100 + i}` |" for i in range(4)]
    few = render(mutable_repositories_report(2), "markdown")     # 3 resources: listed openly
    assert "<details><summary>3 resources</summary>" not in few and few.count("| `svc") == 2


def test_messages_that_differ_get_a_message_column_with_escaped_cells():
    web = urn("aws:ecs/service:Service", "web")
    violations = [Violation("provider-input-schema", "mandatory", "high", web, "web", "aws:ecs/service:Service", m)
                  for m in ("a|b: unknown key", "line one\nline two")]
    violations.append(Violation("provider-input-schema", "mandatory", "high", REPO.urn, "orders", REPO.type, "c"))
    text = render(prod_report(violations=violations), "markdown")
    assert entries(text) == ["❌ **`provider-input-schema`** high, mandatory: 3 violations on 2 resources"]
    assert [line for line in text.splitlines() if line.startswith("| ")][:4] == [
        "| Resource | Type | Location | Message |", "| --- | --- | --- | --- |",
        "| `orders` | `aws:ecr/repository:Repository` | `components/registry.py:42` | c |",
        "| `web` | `aws:ecs/service:Service` |  | a\\|b: unknown key<br>line one<br>line two |"]


def test_fixes_and_notes():
    text = render(prod_report(), "markdown")
    assert "**Fix:** Set image_tag_mutability=\"IMMUTABLE\"." in text
    assert "> 2 violations waived by the stack's policy pack config." in text
    assert "`aws:ec2/getVpc:getVpc`" in text
    assert text.index("**Fix:**") < text.index("> 2 violations waived") < text.index("```mermaid")


def test_resource_rows_are_capped_for_huge_reports():
    many = [Violation("ecr-repository-tags-immutable", "mandatory", "high", f"urn:x::r{i}", f"r{i}",
                      "aws:ecr/repository:Repository", "mutable") for i in range(MAX_ROWS + 7)]
    text = render(prod_report(violations=many), "markdown")
    assert entries(text) == [f"❌ **`ecr-repository-tags-immutable`** high, mandatory: {MAX_ROWS + 7} resources"]
    assert sum(line.startswith("| `r") for line in text.splitlines()) == MAX_ROWS
    assert "+7 more resources: see the JSON or SARIF report." in text


def test_multi_stack_markdown_opens_with_the_summary_of_every_stack():
    text = render(multi_report(), "markdown")
    head = text[:text.index("<details>")]
    assert head.splitlines()[:6] == [
        "### ⚠️ ERROR: preflight aws-cicd-platform, 3 stacks", "",
        "`ERROR: 1 of 3 stacks could not run (broken); 1 with mandatory violations (prod) in aws-cicd-platform "
        "(preview)`", "", "- **By severity:** critical 1, high 1, medium 1, low 1",
        "- **Top rules:** `codepipeline-prod-manual-approval-required` 1 (mandatory; prod), "
        "`ecr-repository-tags-immutable` 1 (mandatory; prod), `lambda-function-runtime-supported` 1 (advisory; "
        "prod), `ecs-cluster-container-insights` 1 (advisory; prod)"]
    assert "| `broken` | ⚠️ ERROR |" in head
    assert text.count("<details><summary><code>") == 3


def test_accounts_are_subgraphs_with_provider_names():
    diagram = mermaid(render(prod_report(), "markdown"))
    nodes, _, _ = parse(diagram)
    subgraphs = [line for line in diagram.splitlines() if "subgraph account_" in line]
    assert [SUBGRAPH.match(line).group(2) for line in subgraphs] == [
        f"account {TOOLING} (tooling)", f"account {STAGING} (staging)", f"account {PROD} (prod)"]
    by_label = {label: enclosing for label, enclosing in nodes.values()}
    assert by_label["ECS service cicd-staging-orders"] == [f"account {STAGING} (staging)"]
    assert by_label["ECS service cicd-prod-orders"] == [f"account {PROD} (prod)"]
    assert by_label["Lambda function hook"] == [f"account {PROD} (prod)"]


def test_pipeline_stages_are_chained_in_order_inside_the_tooling_account():
    nodes, chains, _ = parse(mermaid(render(prod_report(), "markdown")))
    [chain] = chains
    assert [nodes[node][0] for node in chain] == ["Source", "Build", "DeployStaging", "IntegrationTest",
                                                  "Approval", "DeployProd"]
    assert nodes[chain[0]][1] == [f"account {TOOLING} (tooling)", "pipeline cicd-prod-orders"]


def test_deploy_stages_assume_roles_in_the_target_accounts():
    nodes, _, edges = parse(mermaid(render(prod_report(), "markdown")))
    resolved = {(nodes[src][0], nodes[dst][0], nodes[dst][1][0]) for src, dst in edges}
    assert resolved == {("DeployStaging", "deploy role cicd-staging-deploy", f"account {STAGING} (staging)"),
                        ("DeployProd", "deploy role cicd-prod-deploy", f"account {PROD} (prod)")}


def test_unknown_and_secret_role_arns_in_preview():
    secret_role = {SECRET_SIG_KEY: SECRET_SIG, "value": PROD_ROLE}
    report = prod_report(resources=[pipeline("a", stages(staging_role=UNKNOWN, prod_role=secret_role)),
                                    pipeline("b", stages(staging_role=None, prod_role="not-an-arn"))])
    nodes, _, edges = parse(mermaid(render(report, "markdown")))
    assert [(nodes[s][0], nodes[d][0]) for s, d in edges] == [("DeployProd", "deploy role cicd-prod-deploy")]


def test_preview_links_the_pipeline_to_the_roles_its_stages_depend_on():
    staging_role, prod_role = role("cicd-staging-deploy", STAGING), role("cicd-prod-deploy", PROD)
    preview = pipeline("orders", stages(staging_role=UNKNOWN, prod_role=UNKNOWN))
    preview.property_dependencies = {"stages": [staging_role.urn, prod_role.urn, "urn:pulumi:prod::x::y::gone"]}
    resources = [provider("staging", STAGING), provider("prod", PROD), staging_role, prod_role, preview,
                 role("cicd-tooling-build", TOOLING)]
    nodes, _, edges = parse(mermaid(render(prod_report(resources=resources), "markdown")))
    resolved = {(nodes[src][0], nodes[dst][0], nodes[dst][1][0]) for src, dst in edges}
    assert resolved == {
        ("pipeline cicd-prod-orders", "deploy role cicd-staging-deploy", f"account {STAGING} (staging)"),
        ("pipeline cicd-prod-orders", "deploy role cicd-prod-deploy", f"account {PROD} (prod)")}
    assert "deploy role cicd-tooling-build" not in [label for label, _ in nodes.values()]


def test_odd_stage_data_does_not_crash():
    odd = pipeline("odd", stages())
    odd.inputs["stages"] = [None, {"name": UNKNOWN, "actions": UNKNOWN}, "junk", {"actions": [None, 3]}]
    nodes, chains, _ = parse(mermaid(render(prod_report(resources=[odd]), "markdown")))
    assert [nodes[n][0] for n in chains[0]] == ["stage 1", "stage 2", "stage 3", "stage 4"]


def test_node_ids_are_sanitized_and_labels_escaped():
    weird = ecs_service("x", PROD, "prod")
    weird.inputs["name"] = 'end "quoted" <b>svc</b> | ü'
    diagram = mermaid(render(prod_report(resources=[weird, ecs_service("end", PROD, "prod")]), "markdown"))
    nodes, _, _ = parse(diagram)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", node) and node != "end" for node in nodes)
    labels = [label for label, _ in nodes.values()]
    assert "ECS service end #quot;quoted#quot; #lt;b#gt;svc#lt;/b#gt; | ü" in labels
    assert len(set(nodes)) == len(nodes)


def test_big_stacks_are_capped_with_more_nodes():
    services = [f"svc{i:03d}" for i in range(500)]
    resources = [pipeline(s) for s in services] + [ecs_service(s, PROD, "prod") for s in services]
    diagram = mermaid(render(prod_report(resources=resources, violations=[]), "markdown"))
    nodes, chains, edges = parse(diagram)
    labels = [label for label, _ in nodes.values()]
    assert len(chains) == MAX_PIPELINES
    assert f"+{500 - MAX_PIPELINES} more pipelines" in labels
    assert f"+{500 - MAX_TARGETS} more ECS services" in labels
    assert sum(label.startswith("ECS service") for label in labels) == MAX_TARGETS
    assert len(edges) == 2 * MAX_PIPELINES
    assert len(diagram.splitlines()) < 80


def test_no_diagram_when_nothing_to_draw():
    report = prod_report(resources=[])
    assert "```mermaid" not in render(report, "markdown")
