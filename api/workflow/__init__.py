"""api/workflow."""
