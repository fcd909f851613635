"""The customer's side of a journey: the on-my-way e-mail with its tracking link (`links`), the
stage of the move in the customer's words (`stage`), and the public tracking page's read model
(`tracking`)."""
