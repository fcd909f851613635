"""pages/workflow."""
