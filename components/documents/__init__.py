"""components/documents."""
