"""api/admin."""
