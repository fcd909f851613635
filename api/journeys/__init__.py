"""api/journeys."""
