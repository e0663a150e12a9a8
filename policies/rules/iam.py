"""Rules for iam (to be written)."""
