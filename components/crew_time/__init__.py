"""components/crew_time."""
