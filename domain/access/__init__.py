"""domain/access."""
