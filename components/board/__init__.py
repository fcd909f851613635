"""components/board."""
