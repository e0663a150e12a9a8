"""Rules for ecr (to be written)."""
