"""Rules for codebuild (to be written)."""
