"""Rules for platform (to be written)."""
