"""Rules for sns (to be written)."""
