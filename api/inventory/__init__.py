"""The inventory's JSON API."""
