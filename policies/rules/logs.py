"""Rules for logs (to be written)."""
