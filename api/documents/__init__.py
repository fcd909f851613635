"""api/documents."""
