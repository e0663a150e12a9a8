"""Rules for codepipeline (to be written)."""
