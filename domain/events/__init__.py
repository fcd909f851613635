"""domain/events."""
