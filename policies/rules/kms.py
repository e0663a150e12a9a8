"""Rules for kms (to be written)."""
