"""The inventory on screen: the crew's panel on the phone, the exceptions on desks and phones."""
