"""The customer's side: the mail outbox, the on-my-way link and the tracking page."""
