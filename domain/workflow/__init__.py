"""domain/workflow."""
