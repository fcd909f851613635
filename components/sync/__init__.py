"""components/sync."""
