"""provider-input-schema: what the provider's Check would refuse, found offline.

The real `pulumi preview` sends every resource's inputs through the provider's `Check`; the SDK's mock
monitor accepts anything. This package holds recorded inputs against what the provider's own Python SDK
declares (input types, nested types, enums), and JSON documents AWS validates at apply time against
their published models.
"""
