"""domain/admin."""
