"""domain/journeys."""
