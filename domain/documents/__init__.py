"""Move documents: the bill of lading and the completion report (content, PDF, issuing,
verifying), and the consent and evidence kept with every customer signature."""
