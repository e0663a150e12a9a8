"""Rules for secrets (to be written)."""
