"""api/crew_time."""
