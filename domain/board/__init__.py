"""domain/board."""
