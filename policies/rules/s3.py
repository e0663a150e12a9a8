"""Rules for s3 (to be written)."""
