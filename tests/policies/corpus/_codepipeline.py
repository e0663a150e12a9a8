"""Program snippets the CodePipeline corpus modules share (not a variant module)."""

# A V2 pipeline in the tooling account with a CMK artifact store and a branch-filtered connection source;
# helpers for ECS deploy actions (role in the target account), approvals, CodeBuild and Commands actions.
PIPELINE = '''\
PIPELINE_KEY = f"arn:aws:kms:us-east-1:{TOOLING}:key/0d3c1f5e-1111-2222-3333-444455556666"
TOPIC = f"arn:aws:sns:us-east-1:{TOOLING}:release-approvals"
CONNECTION = f"arn:aws:codeconnections:us-east-1:{TOOLING}:connection/0d3c1f5e"
SOURCE = {"name": "Source", "actions": [{"name": "Source", "category": "Source", "owner": "AWS",
    "provider": "CodeStarSourceConnection", "version": "1", "output_artifacts": ["src"],
    "configuration": {"ConnectionArn": CONNECTION, "FullRepositoryId": "acme/orders", "BranchName": "main"}}]}


def deploy(name, account, **extra):
    return {"name": name, "category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1",
            "input_artifacts": ["src"], "role_arn": f"arn:aws:iam::{account}:role/orders-deploy",
            "configuration": {"ClusterName": "orders", "ServiceName": "orders-api"}, **extra}


def approval(name="Approve", **extra):
    return {"name": name, "category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1",
            "configuration": {"NotificationArn": TOPIC}, **extra}


def build(name, project_name, category="Build", configuration=None, **extra):
    return {"name": name, "category": category, "owner": "AWS", "provider": "CodeBuild", "version": "1",
            "input_artifacts": ["src"], "configuration": {"ProjectName": project_name, **(configuration or {})},
            **extra}


def stage(name, *actions):
    return {"name": name, "actions": list(actions)}


def pipeline(resource_name, *stages, **kwargs):
    args = dict(role_arn=f"arn:aws:iam::{TOOLING}:role/orders-pipeline", pipeline_type="V2",
                artifact_stores=[{"location": "acme-artifacts", "type": "S3",
                                  "encryption_key": {"id": PIPELINE_KEY, "type": "KMS"}}],
                stages=[SOURCE, *stages])
    args.update(kwargs)
    return aws.codepipeline.Pipeline(resource_name, opts=in_tooling, **args)
'''


def buildspec(*commands: str) -> str:
    """A program expression: an inline buildspec running `commands` in its build phase."""
    lines = "".join(f"      - {c}\n" for c in commands)
    return repr(f"version: 0.2\nphases:\n  build:\n    commands:\n{lines}")
