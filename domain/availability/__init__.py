"""Availability: when people are off and trucks out of service, and people's skills and licences."""
