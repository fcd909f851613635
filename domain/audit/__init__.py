"""domain/audit."""
