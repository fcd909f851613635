"""Business rules. Pages and API routes call these functions with the acting `Principal`."""
