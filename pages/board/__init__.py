"""pages/board."""
