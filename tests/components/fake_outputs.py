"""What the component tests' mocks answer for a created resource: the outputs AWS would report (ARNs, ids,
URLs) in the account and region of its explicit provider."""
from __future__ import annotations

import hashlib
from typing import Any


def _fake_uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def fake_outputs(type_: str, name: str, inputs: dict, account: str, region: str) -> dict[str, Any]:
    physical = inputs.get("name") or name
    service = type_.split(":")[1].split("/")[0]
    kind = type_.rsplit(":", 1)[-1]
    out: dict[str, Any] = {"name": physical,
                           "arn": f"arn:aws:{service}:{region}:{account}:{kind.lower()}/{physical}"}
    if type_ == "aws:iam/role:Role":
        out.update(arn=f"arn:aws:iam::{account}:role/{physical}", uniqueId=f"AROA{_fake_uuid(name)[:16].upper()}")
    elif type_ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        url = str(inputs.get("url", "token.actions.githubusercontent.com")).replace("https://", "")
        out.update(arn=f"arn:aws:iam::{account}:oidc-provider/{url}")
    elif type_ == "aws:kms/key:Key":
        key_id = _fake_uuid(f"{account}/{name}")
        out.update(keyId=key_id, arn=f"arn:aws:kms:{region}:{account}:key/{key_id}")
    elif type_ == "aws:kms/alias:Alias":
        out.update(arn=f"arn:aws:kms:{region}:{account}:{physical}")
    elif type_ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        bucket = inputs.get("bucket") or physical
        out.update(bucket=bucket, arn=f"arn:aws:s3:::{bucket}", bucketDomainName=f"{bucket}.s3.amazonaws.com",
                   bucketRegionalDomainName=f"{bucket}.s3.{region}.amazonaws.com")
    elif type_ == "aws:ecr/repository:Repository":
        out.update(registryId=account, arn=f"arn:aws:ecr:{region}:{account}:repository/{physical}",
                   repositoryUrl=f"{account}.dkr.ecr.{region}.amazonaws.com/{physical}")
    elif type_ == "aws:sns/topic:Topic":
        out.update(arn=f"arn:aws:sns:{region}:{account}:{physical}")
    elif type_ == "aws:cloudwatch/logGroup:LogGroup":
        out.update(arn=f"arn:aws:logs:{region}:{account}:log-group:{physical}")
    elif type_ == "aws:codepipeline/pipeline:Pipeline":
        out.update(arn=f"arn:aws:codepipeline:{region}:{account}:{physical}")
    elif type_ == "aws:codebuild/project:Project":
        out.update(arn=f"arn:aws:codebuild:{region}:{account}:project/{physical}")
    elif type_ == "aws:lb/loadBalancer:LoadBalancer":
        out.update(dnsName=f"{physical}-123456789.{region}.elb.amazonaws.com",
                   arnSuffix=f"app/{physical}/0123456789abcdef",
                   arn=f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{physical}/0123456789abcdef")
    elif type_ == "aws:lb/targetGroup:TargetGroup":
        out.update(arnSuffix=f"targetgroup/{physical}/0123456789abcdef",
                   arn=f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{physical}/0123456789abcdef")
    elif type_ == "aws:lb/listener:Listener":
        out.update(arn=f"arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{name}/0123456789abcdef/1")
    elif type_ == "aws:ecs/taskDefinition:TaskDefinition":
        family = inputs.get("family", physical)
        out.update(family=family, revision=1, arn=f"arn:aws:ecs:{region}:{account}:task-definition/{family}:1",
                   arnWithoutRevision=f"arn:aws:ecs:{region}:{account}:task-definition/{family}")
    elif type_ == "aws:lambda/function:Function":
        out.update(arn=f"arn:aws:lambda:{region}:{account}:function:{physical}", version="1",
                   qualifiedArn=f"arn:aws:lambda:{region}:{account}:function:{physical}:1",
                   invokeArn=f"arn:aws:apigateway:{region}:lambda:path/functions/{physical}/invocations")
    elif type_ == "aws:lambda/alias:Alias":
        fn = inputs.get("functionName", "fn")
        out.update(arn=f"arn:aws:lambda:{region}:{account}:function:{fn}:{physical}")
    elif type_ == "aws:codedeploy/deploymentGroup:DeploymentGroup":
        out.update(deploymentGroupName=inputs.get("deploymentGroupName", physical))
    elif type_ == "aws:ec2/securityGroup:SecurityGroup":
        out.update(id=f"sg-{hashlib.sha256(name.encode()).hexdigest()[:17]}")
    return out
