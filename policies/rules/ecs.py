"""Rules for ecs (to be written)."""
