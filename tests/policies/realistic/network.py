"""The prod network in front of the ECS service: the load balancer's and the tasks' security groups,
spelled all three ways pulumi-aws offers (inline blocks on `ec2.SecurityGroup`, the legacy
`ec2.SecurityGroupRule`, the per-rule `vpc.SecurityGroupIngressRule`). Compliant: only 80/443 reach
the load balancer from public address space; the app port 8080 is open to the load balancer's group,
the VPC CIDR or a prefix list only."""
from __future__ import annotations

from ._base import Builder

VPC_ID = "vpc-0a1b2c3d4e5f60718"
VPC_CIDR = "10.20.0.0/16"
ALB_SG = "sg-0fedcba9876543210"
TASK_SG = "sg-0123456789abcdef0"  # the group the ECS service's networkConfiguration names (targets.py)
OPS_PREFIX_LIST = "pl-0a1b2c3d4e5f60718"  # customer-managed: the operations VPN's egress ranges
APP_PORT = 8080


def _block(from_port: int, to_port: int, *, protocol: str = "tcp", cidrs: tuple = (), ipv6: tuple = (),
           groups: tuple = (), prefix_lists: tuple = (), description: str = "") -> dict:
    """One inline ingress/egress block as the engine sends it (every input present, empty when unset)."""
    return {"description": description, "protocol": protocol, "fromPort": from_port, "toPort": to_port,
            "cidrBlocks": list(cidrs), "ipv6CidrBlocks": list(ipv6), "securityGroups": list(groups),
            "prefixListIds": list(prefix_lists), "self": False}


def add_network(b: Builder) -> None:
    _security_groups(b)
    _security_group_rules(b)
    _ingress_rules(b)


def _security_groups(b: Builder) -> None:
    service, t = b.service, b.tags("prod")
    b.add("aws:ec2/securityGroup:SecurityGroup", "prod-alb-sg", "prod", {
        "name": f"{service}-prod-alb", "description": f"{service} prod load balancer", "vpcId": VPC_ID,
        "revokeRulesOnDelete": True,
        "ingress": [
            _block(443, 443, cidrs=("0.0.0.0/0",), ipv6=("::/0",), description="HTTPS from the internet"),
            _block(80, 80, cidrs=("0.0.0.0/0",), ipv6=("::/0",), description="HTTP, redirected to HTTPS")],
        "egress": [_block(APP_PORT, APP_PORT, cidrs=(VPC_CIDR,), description="to the tasks")],
        "tags": t})
    b.add("aws:ec2/securityGroup:SecurityGroup", "prod-task-sg", "prod", {
        "name": f"{service}-prod-task", "description": f"{service} prod ECS tasks", "vpcId": VPC_ID,
        "revokeRulesOnDelete": True,
        "ingress": [_block(APP_PORT, APP_PORT, groups=(ALB_SG,),
                           description="app port from the load balancer")],
        "egress": [_block(443, 443, cidrs=("0.0.0.0/0",), description="HTTPS to AWS APIs and ECR"),
                   _block(5432, 5432, cidrs=(VPC_CIDR,), description="PostgreSQL in the VPC")],
        "tags": t}, deps={"ingress": ["prod-alb-sg"]})


def _security_group_rules(b: Builder) -> None:
    """The legacy per-rule resource: the load balancer's health checks from the VPC, the ALB-to-task hop."""
    b.add("aws:ec2/securityGroupRule:SecurityGroupRule", "prod-task-health-checks", "prod", {
        "type": "ingress", "securityGroupId": TASK_SG, "description": "health checks from the VPC",
        "protocol": "tcp", "fromPort": APP_PORT, "toPort": APP_PORT, "cidrBlocks": [VPC_CIDR]},
          deps={"securityGroupId": ["prod-task-sg"]})
    b.add("aws:ec2/securityGroupRule:SecurityGroupRule", "prod-task-from-alb", "prod", {
        "type": "ingress", "securityGroupId": TASK_SG, "description": "app port from the load balancer",
        "protocol": "tcp", "fromPort": APP_PORT, "toPort": APP_PORT, "sourceSecurityGroupId": ALB_SG},
          deps={"securityGroupId": ["prod-task-sg"], "sourceSecurityGroupId": ["prod-alb-sg"]})
    b.add("aws:ec2/securityGroupRule:SecurityGroupRule", "prod-alb-to-tasks", "prod", {
        "type": "egress", "securityGroupId": ALB_SG, "description": "to the tasks",
        "protocol": "tcp", "fromPort": APP_PORT, "toPort": APP_PORT, "sourceSecurityGroupId": TASK_SG},
          deps={"securityGroupId": ["prod-alb-sg"], "sourceSecurityGroupId": ["prod-task-sg"]})


def _ingress_rules(b: Builder) -> None:
    """The per-rule VPC resource (one address family per rule): HTTPS on the load balancer over IPv4 and
    IPv6, the app port from the VPC, from the load balancer's group, and from the operations VPN."""
    service, t = b.service, b.tags("prod")
    rule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    https = {"securityGroupId": ALB_SG, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}
    app = {"securityGroupId": TASK_SG, "ipProtocol": "tcp", "fromPort": APP_PORT, "toPort": APP_PORT}
    b.add(rule, "prod-alb-https-ipv4", "prod", {
        **https, "cidrIpv4": "0.0.0.0/0", "description": "HTTPS from the internet (IPv4)",
        "tags": {**t, "Name": f"{service}-prod-alb-https-ipv4"}}, deps={"securityGroupId": ["prod-alb-sg"]})
    b.add(rule, "prod-alb-https-ipv6", "prod", {
        **https, "cidrIpv6": "::/0", "description": "HTTPS from the internet (IPv6)",
        "tags": {**t, "Name": f"{service}-prod-alb-https-ipv6"}}, deps={"securityGroupId": ["prod-alb-sg"]})
    b.add(rule, "prod-task-app-from-vpc", "prod", {
        **app, "cidrIpv4": VPC_CIDR, "description": "app port from the VPC",
        "tags": {**t, "Name": f"{service}-prod-task-app-from-vpc"}},
          deps={"securityGroupId": ["prod-task-sg"]})
    b.add(rule, "prod-task-app-from-alb", "prod", {
        **app, "referencedSecurityGroupId": ALB_SG, "description": "app port from the load balancer",
        "tags": {**t, "Name": f"{service}-prod-task-app-from-alb"}},
          deps={"securityGroupId": ["prod-task-sg"], "referencedSecurityGroupId": ["prod-alb-sg"]})
    b.add(rule, "prod-task-app-from-ops-vpn", "prod", {
        **app, "prefixListId": OPS_PREFIX_LIST, "description": "app port from the operations VPN",
        "tags": {**t, "Name": f"{service}-prod-task-app-from-ops-vpn"}},
          deps={"securityGroupId": ["prod-task-sg"]})
