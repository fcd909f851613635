"""components/admin."""
