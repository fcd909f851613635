"""pages/customer: the customer's side (the tracking page, no sign-in)."""
