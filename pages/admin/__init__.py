"""pages/admin."""
