"""Rules for codedeploy (to be written)."""
