"""Pure document builders: plain data in, document out. No Pulumi imports here."""
