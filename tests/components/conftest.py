"""Session setup for the component tests."""
# CPython 3.11.7 can raise "SystemError: AST constructor recursion depth mismatch" when a module is first
# compiled after the deep Pulumi mock runs (CPython gh-106905); hypothesis' pytest plugin imports its package
# lazily in the terminal summary, so import it here, before any program runs.
import hypothesis  # noqa: F401
