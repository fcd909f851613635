"""`/planner`."""
