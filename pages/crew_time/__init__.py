"""pages/crew_time."""
