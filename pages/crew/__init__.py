"""pages/crew."""
