"""Rules for lambda_ (to be written)."""
