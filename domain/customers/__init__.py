"""Customers, derived from their journeys."""
