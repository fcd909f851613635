"""domain/runtime."""
