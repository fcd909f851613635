"""components/journeys."""
