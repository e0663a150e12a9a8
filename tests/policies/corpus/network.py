"""Security-group ingress open to public address space, written as inline ingress blocks, standalone
aws.ec2.SecurityGroupRule and aws.vpc.SecurityGroupIngressRule, loops over ports, IPv6."""
from tests.policies.corpus import NEAR_MISS, VIOLATES, Variant

_RULE = "ec2-security-group-ingress-not-public"
_VPC = 'vpc = aws.ec2.Vpc("apps", cidr_block="10.20.0.0/16", opts=in_prod)\n'
_SG = _VPC + 'sg = aws.ec2.SecurityGroup("orders-sg", vpc_id=vpc.id, description="orders", opts=in_prod)\n'

VARIANTS = [
    Variant(_RULE, VIOLATES, "inline-ssh-from-anywhere", resource="bastion", program=_VPC +
            'aws.ec2.SecurityGroup("bastion", vpc_id=vpc.id, ingress=[\n'
            '    {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]},\n'
            '    {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}], opts=in_prod)\n'),
    Variant(_RULE, VIOLATES, "standalone-rule-postgres", resource="orders-db-ingress", program=_SG +
            'aws.ec2.SecurityGroupRule("orders-db-ingress", type="ingress", security_group_id=sg.id,\n'
            '    protocol="tcp", from_port=5432, to_port=5432, cidr_blocks=["0.0.0.0/0"], opts=in_prod)\n'),
    Variant(_RULE, VIOLATES, "vpc-ingress-rule-ipv6", resource="orders-app-v6", program=_SG +
            'aws.vpc.SecurityGroupIngressRule("orders-app-v6", security_group_id=sg.id, ip_protocol="tcp",\n'
            '    from_port=8080, to_port=8080, cidr_ipv6="::/0", opts=in_prod)\n'),
    Variant(_RULE, VIOLATES, "loop-over-config-ports", resource="orders-in-8080", config={"ports": "[443, 8080]"},
            program=_SG +
            'for port in pulumi.Config().require_object("ports"):\n'
            '    aws.vpc.SecurityGroupIngressRule(f"orders-in-{port}", security_group_id=sg.id, ip_protocol="tcp",\n'
            '        from_port=port, to_port=port, cidr_ipv4="0.0.0.0/0", opts=in_prod)\n'),
    Variant(_RULE, VIOLATES, "all-protocols-args-class", resource="debug", program=_VPC +
            'aws.ec2.SecurityGroup("debug", vpc_id=vpc.id, ingress=[aws.ec2.SecurityGroupIngressArgs(\n'
            '    protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"],\n'
            '    ipv6_cidr_blocks=["::/0"])], opts=in_prod)\n'),
    Variant(_RULE, VIOLATES, "office-range-plus-anywhere", resource="admin", program=_VPC +
            'ALLOWED = ["10.0.0.0/8", "203.0.113.0/24", "0.0.0.0/0"]\n'
            'aws.ec2.SecurityGroup("admin", vpc_id=vpc.id, opts=in_prod, ingress=[\n'
            '    {"protocol": "tcp", "from_port": 8443, "to_port": 8443, "cidr_blocks": ALLOWED}])\n'),
    Variant(_RULE, NEAR_MISS, "https-from-anywhere", program=_SG +
            'for cidr in ["0.0.0.0/0"]:\n'
            '    aws.vpc.SecurityGroupIngressRule("orders-https", security_group_id=sg.id, ip_protocol="tcp",\n'
            '        from_port=443, to_port=443, cidr_ipv4=cidr, opts=in_prod)\n'
            'aws.vpc.SecurityGroupIngressRule("orders-https-v6", security_group_id=sg.id, ip_protocol="tcp",\n'
            '    from_port=443, to_port=443, cidr_ipv6="::/0", opts=in_prod)\n'),
    Variant(_RULE, NEAR_MISS, "ssh-from-vpc-cidr", program=_VPC +
            'aws.ec2.SecurityGroup("bastion", vpc_id=vpc.id, opts=in_prod, ingress=[\n'
            '    {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": [vpc.cidr_block]}])\n'),
    Variant(_RULE, NEAR_MISS, "postgres-from-app-security-group", program=_SG +
            'db = aws.ec2.SecurityGroup("orders-db", vpc_id=vpc.id, opts=in_prod)\n'
            'aws.vpc.SecurityGroupIngressRule("db-from-app", security_group_id=db.id, ip_protocol="tcp",\n'
            '    from_port=5432, to_port=5432, referenced_security_group_id=sg.id, opts=in_prod)\n'),
    Variant(_RULE, NEAR_MISS, "egress-everything", program=_SG +
            'aws.ec2.SecurityGroupRule("orders-egress", type="egress", security_group_id=sg.id, protocol="-1",\n'
            '    from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"], opts=in_prod)\n'),
]
