"""pages/journeys."""
