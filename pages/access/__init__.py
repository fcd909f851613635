"""pages/access."""
