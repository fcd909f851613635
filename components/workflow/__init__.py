"""components/workflow."""
