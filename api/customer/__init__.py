"""api/customer: the customer's side (tracking link downloads)."""
