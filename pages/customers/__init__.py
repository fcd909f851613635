"""pages/customers."""
